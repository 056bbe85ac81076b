import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export class TaxReportQueryDto {
  @ApiProperty({ example: '2026-03', description: 'A calendar month' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'period must be a month YYYY-MM, e.g. 2026-03' })
  period: string;
}

export class TaxReportRowView {
  @ApiProperty({ example: 'GST', description: 'The tax code, or UNCODED for lines without one' })
  taxCode: string;
  @ApiProperty({ example: 'AUD' }) currency: string;
  @ApiProperty({
    description: 'Net of invoice lines issued in the period less net credited by credit notes issued in it',
  })
  taxableAmount: string;
  @ApiProperty({ description: 'Tax of those invoice lines less the tax credited (posted to 2100)' })
  outputTax: string;
  @ApiProperty({ description: 'Input tax posted to 1300 in the period' }) inputTax: string;
  @ApiProperty({ description: 'outputTax − inputTax' }) netPayable: string;
}

export class TaxReportTotalView {
  @ApiProperty() currency: string;
  @ApiProperty() taxableAmount: string;
  @ApiProperty() outputTax: string;
  @ApiProperty() inputTax: string;
  @ApiProperty() netPayable: string;
  @ApiProperty({ description: 'Movement of 2100 in the ledger for the period (credits − debits)' })
  ledgerOutputTax: string;
  @ApiProperty({
    description: 'ledgerOutputTax − outputTax: tax posted to 2100 by something else than invoices and credit notes',
  })
  difference: string;
  @ApiProperty() reconciled: boolean;
}

export class TaxReportView {
  @ApiProperty({ example: '2026-03' }) period: string;
  @ApiProperty({ example: '2026-03-01' }) from: string;
  @ApiProperty({ example: '2026-03-31' }) to: string;
  @ApiProperty({ type: [TaxReportRowView] }) rows: TaxReportRowView[];
  @ApiProperty({ type: [TaxReportTotalView] }) totals: TaxReportTotalView[];
  @ApiProperty({ description: 'true when every currency’s output tax equals its 2100 movement' })
  reconciled: boolean;
}
