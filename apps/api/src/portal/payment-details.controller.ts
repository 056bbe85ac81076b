import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Roles } from '#disty/core';
import { supplierSettings } from '#disty/tax';

export class PaymentDetailsView {
  @ApiProperty({ example: 'Disty Distribution Pty Ltd', description: 'Who invoices are paid to' })
  payee: string;
  @ApiProperty({ example: 'Disty Distribution Pty Ltd' }) accountName: string;
  @ApiProperty({ example: 'Example Bank' }) bankName: string;
  @ApiProperty({ example: '062-000' }) bsb: string;
  @ApiProperty({ example: '1234 5678' }) accountNumber: string;
  @ApiProperty({ example: 'EXAMAU2S' }) swift: string;
  @ApiProperty({ example: 'accounts@disty.example', description: 'Where to send remittance advice' })
  email: string;
}

/**
 * Where resellers pay the distributor by bank transfer: the account printed on every invoice PDF
 * (BANK_* and SUPPLIER_* settings, README "Configuration"), shown by the portal's statement page.
 */
@ApiTags('config')
@ApiBearerAuth()
@Controller('config/payment-details')
export class PaymentDetailsController {
  private readonly details: PaymentDetailsView;

  constructor() {
    const s = supplierSettings();
    this.details = { payee: s.legalName, ...s.bank, email: s.email };
  }

  @Get()
  @Roles('reseller_finance', 'reseller_admin', 'buyer', 'admin', 'finance')
  @ApiOperation({ operationId: 'getPaymentDetails', summary: 'Read the bank account invoices are paid to' })
  @ApiOkResponse({ type: PaymentDetailsView })
  get(): PaymentDetailsView {
    return this.details;
  }
}
