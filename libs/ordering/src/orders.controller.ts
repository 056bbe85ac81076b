import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  Actor,
  ApiPageResponse,
  ApiProblems,
  CurrentActor,
  Idempotent,
  isDistributor,
  notFound,
  Page,
  ParseIdPipe,
  Roles,
  tenantScope,
  validationError,
} from '#disty/core';
import { CancelOrderDto, OrderQueryDto, OrderView, PlaceOrderDto, ShipLineDto, ToShipLineView, ToShipQueryDto } from './dto/order.dto';
import { OrderFulfilmentService } from './order-fulfilment.service';
import { OrderQueryService } from './order-query.service';
import { OrderingService } from './ordering.service';

@ApiTags('orders')
@ApiBearerAuth()
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly orders: OrderingService,
    private readonly fulfilment: OrderFulfilmentService,
    private readonly queries: OrderQueryService,
  ) {}

  /** A buyer orders for its own reseller; an admin names the reseller. */
  @Post()
  @Roles('buyer', 'admin')
  @Idempotent()
  @ApiOperation({ operationId: 'placeOrder', summary: 'Place an order of hardware and cloud lines' })
  @ApiCreatedResponse({ type: OrderView })
  @ApiProblems(404, 422)
  place(@Body() dto: PlaceOrderDto, @CurrentActor() actor: Actor): Promise<OrderView> {
    let resellerId: string;
    if (isDistributor(actor)) {
      if (!dto.resellerId)
        throw validationError('resellerId is required when an admin orders', [{ field: 'resellerId', message: 'is required for admin' }]);
      resellerId = dto.resellerId;
    } else {
      if (dto.resellerId && dto.resellerId.toLowerCase() !== actor.resellerId) throw notFound(`Reseller ${dto.resellerId}`);
      resellerId = actor.resellerId!;
    }
    return this.orders.placeOrder({
      resellerId,
      endCustomer: dto.endCustomer,
      endCustomerId: dto.endCustomerId,
      poNumber: dto.poNumber,
      lines: dto.lines,
      createdBy: actor.id,
      placedBy: isDistributor(actor) ? 'DISTRIBUTOR' : 'RESELLER',
    });
  }

  @Get()
  @Roles('admin', 'finance', 'reseller_admin', 'buyer')
  @ApiOperation({ operationId: 'listOrders', summary: 'List orders' })
  @ApiPageResponse(OrderView)
  list(@Query() q: OrderQueryDto, @CurrentActor() actor: Actor): Promise<Page<OrderView>> {
    return this.queries.listOrders(tenantScope(actor), q);
  }

  /** The hardware lines waiting to ship, for whoever ships (DESIGN.md §3: the distributor's admin). */
  @Get('to-ship')
  @Roles('admin', 'finance')
  @ApiOperation({ operationId: 'listLinesToShip', summary: 'List hardware lines waiting to ship' })
  @ApiPageResponse(ToShipLineView)
  toShip(@Query() q: ToShipQueryDto): Promise<Page<ToShipLineView>> {
    return this.fulfilment.toShip(q);
  }

  @Get(':id')
  @Roles('admin', 'finance', 'reseller_admin', 'buyer')
  @ApiOperation({ operationId: 'getOrder', summary: 'Read an order' })
  @ApiOkResponse({ type: OrderView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<OrderView> {
    return this.queries.getOrder(id, tenantScope(actor));
  }

  @Post(':id/lines/:lineId/ship')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ operationId: 'shipOrderLine', summary: 'Ship a hardware line of an order' })
  @ApiOkResponse({ type: OrderView })
  @ApiProblems(409, 422)
  ship(@Param('id', ParseIdPipe) id: string, @Param('lineId', ParseIdPipe) lineId: string, @Body() dto: ShipLineDto): Promise<OrderView> {
    return this.fulfilment.shipLine(id, lineId, dto);
  }

  @Post(':id/cancel')
  @Roles('buyer', 'admin')
  @HttpCode(200)
  @ApiOperation({ operationId: 'cancelOrder', summary: 'Cancel an order or some of its lines' })
  @ApiOkResponse({ type: OrderView })
  @ApiProblems(409, 422)
  cancel(@Param('id', ParseIdPipe) id: string, @Body() dto: CancelOrderDto, @CurrentActor() actor: Actor): Promise<OrderView> {
    return this.fulfilment.cancelOrder(id, tenantScope(actor), dto.lineIds);
  }
}
