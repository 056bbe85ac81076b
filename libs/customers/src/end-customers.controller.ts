import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  Actor,
  ApiProblems,
  CurrentActor,
  isDistributor,
  notFound,
  Page,
  ParseIdPipe,
  Roles,
  tenantScope,
  validationError,
} from '#disty/core';
import {
  CreateEndCustomerDto,
  EndCustomerPageView,
  EndCustomerQueryDto,
  EndCustomerView,
  UpdateEndCustomerDto,
} from './dto/end-customer.dto';
import { EndCustomerService } from './end-customer.service';

/** A reseller's end customers: its own users reach only its own; distributor staff see all. */
@ApiTags('end-customers')
@ApiBearerAuth()
@Controller('end-customers')
export class EndCustomersController {
  constructor(private readonly customers: EndCustomerService) {}

  @Post()
  @Roles('reseller_admin', 'buyer', 'admin')
  @ApiOperation({ operationId: 'createEndCustomer', summary: 'Record an end customer of a reseller' })
  @ApiCreatedResponse({ type: EndCustomerView })
  @ApiProblems(404, 409)
  create(@Body() dto: CreateEndCustomerDto, @CurrentActor() actor: Actor): Promise<EndCustomerView> {
    let resellerId: string;
    if (isDistributor(actor)) {
      if (!dto.resellerId) {
        throw validationError('resellerId is required for distributor staff', [{ field: 'resellerId', message: 'resellerId is required' }]);
      }
      resellerId = dto.resellerId.toLowerCase();
    } else {
      if (dto.resellerId && dto.resellerId.toLowerCase() !== actor.resellerId) throw notFound(`Reseller ${dto.resellerId}`);
      resellerId = actor.resellerId!;
    }
    return this.customers.create(resellerId, {
      name: dto.name,
      contactName: dto.contactName,
      contactEmail: dto.contactEmail,
      country: dto.country,
      taxId: dto.taxId,
      reference: dto.reference,
    });
  }

  @Get()
  @Roles('admin', 'finance', 'reseller_admin', 'buyer', 'sales')
  @ApiOperation({ operationId: 'listEndCustomers', summary: 'Search a reseller’s end customers' })
  @ApiOkResponse({ type: EndCustomerPageView })
  list(@Query() q: EndCustomerQueryDto, @CurrentActor() actor: Actor): Promise<Page<EndCustomerView>> {
    return this.customers.list(tenantScope(actor, q.resellerId), q);
  }

  @Get(':id')
  @Roles('admin', 'finance', 'reseller_admin', 'buyer', 'sales')
  @ApiOperation({ operationId: 'getEndCustomer', summary: 'Read an end customer' })
  @ApiOkResponse({ type: EndCustomerView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<EndCustomerView> {
    return this.customers.get(id, tenantScope(actor));
  }

  @Patch(':id')
  @Roles('reseller_admin', 'buyer', 'admin')
  @ApiOperation({ operationId: 'updateEndCustomer', summary: 'Change an end customer' })
  @ApiOkResponse({ type: EndCustomerView })
  @ApiProblems(409)
  update(@Param('id', ParseIdPipe) id: string, @Body() dto: UpdateEndCustomerDto, @CurrentActor() actor: Actor): Promise<EndCustomerView> {
    return this.customers.update(id, tenantScope(actor), dto);
  }
}
