import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ParseIdPipe, Roles } from '#disty/core';
import {
  CreateTaxCodeDto,
  CreateTaxRuleDto,
  TaxCodeListView,
  TaxCodeView,
  TaxRuleListView,
  TaxRuleView,
  UpdateTaxCodeDto,
  UpdateTaxRuleDto,
} from './dto/tax-code.dto';
import { TaxService } from './tax.service';

/** Tax codes and the rules choosing them (docs/accounting.md §11): read by everyone signed in, changed by admins. */
@ApiTags('tax')
@ApiBearerAuth()
@Controller('tax-codes')
export class TaxCodesController {
  constructor(private readonly tax: TaxService) {}

  @Get()
  @ApiOperation({ operationId: 'listTaxCodes', summary: 'List tax codes' })
  @ApiOkResponse({ type: TaxCodeListView })
  list(): Promise<TaxCodeListView> {
    return this.tax.listCodes();
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ operationId: 'createTaxCode', summary: 'Create a tax code' })
  @ApiCreatedResponse({ type: TaxCodeView })
  @ApiProblems(409)
  create(@Body() dto: CreateTaxCodeDto): Promise<TaxCodeView> {
    return this.tax.createCode(dto);
  }

  @Get('rules')
  @ApiOperation({ operationId: 'listTaxRules', summary: 'List the rules that choose tax codes' })
  @ApiOkResponse({ type: TaxRuleListView })
  rules(): Promise<TaxRuleListView> {
    return this.tax.listRules();
  }

  @Post('rules')
  @Roles('admin')
  @ApiOperation({ operationId: 'createTaxRule', summary: 'Create a tax rule' })
  @ApiCreatedResponse({ type: TaxRuleView })
  @ApiProblems(409, 422)
  createRule(@Body() dto: CreateTaxRuleDto): Promise<TaxRuleView> {
    return this.tax.createRule(dto);
  }

  @Patch('rules/:id')
  @Roles('admin')
  @ApiOperation({ operationId: 'updateTaxRule', summary: 'Change the tax code a rule chooses' })
  @ApiOkResponse({ type: TaxRuleView })
  @ApiProblems(422)
  updateRule(@Param('id', ParseIdPipe) id: string, @Body() dto: UpdateTaxRuleDto): Promise<TaxRuleView> {
    return this.tax.updateRule(id, dto.taxCode);
  }

  @Patch(':code')
  @Roles('admin')
  @ApiOperation({ operationId: 'updateTaxCode', summary: 'Change a tax code' })
  @ApiOkResponse({ type: TaxCodeView })
  update(@Param('code') code: string, @Body() dto: UpdateTaxCodeDto): Promise<TaxCodeView> {
    return this.tax.updateCode(code, dto);
  }
}
