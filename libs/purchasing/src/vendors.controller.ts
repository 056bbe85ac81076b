import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiPageResponse, ApiProblems, Page, ParseIdPipe, Roles } from '#disty/core';
import { CreateVendorDto, UpdateVendorDto, VendorQueryDto, VendorView } from './dto/vendor.dto';
import { VendorService } from './vendor.service';

@ApiTags('purchasing')
@ApiBearerAuth()
@Controller('vendors')
export class VendorsController {
  constructor(private readonly vendors: VendorService) {}

  /** A catalog vendor (named exactly like products.vendor) as a supplier that bills the distributor. */
  @Post()
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'createVendor', summary: 'Record a vendor' })
  @ApiCreatedResponse({ type: VendorView })
  @ApiProblems(409)
  create(@Body() dto: CreateVendorDto): Promise<VendorView> {
    return this.vendors.create(dto);
  }

  @Get()
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'listVendors', summary: 'List vendors' })
  @ApiPageResponse(VendorView)
  list(@Query() q: VendorQueryDto): Promise<Page<VendorView>> {
    return this.vendors.list(q);
  }

  @Get(':id')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'getVendor', summary: 'Read a vendor' })
  @ApiOkResponse({ type: VendorView })
  get(@Param('id', ParseIdPipe) id: string): Promise<VendorView> {
    return this.vendors.get(id);
  }

  @Patch(':id')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'updateVendor', summary: 'Change a vendor' })
  @ApiOkResponse({ type: VendorView })
  @ApiProblems(409)
  update(@Param('id', ParseIdPipe) id: string, @Body() dto: UpdateVendorDto): Promise<VendorView> {
    return this.vendors.update(id, dto);
  }
}
