import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { CREDIT_LINES, CreditLine, CURRENCIES, Currency, IsMoneyString, PageQueryDto } from '#disty/core';
import { LIMIT_RANGE } from './reseller.dto';

export const CREDIT_REQUEST_STATUSES = ['PENDING', 'APPROVED', 'DECLINED'] as const;
export type CreditRequestStatus = (typeof CREDIT_REQUEST_STATUSES)[number];

export class CreateCreditRequestDto {
  @ApiProperty({ enum: CREDIT_LINES, example: 'HARDWARE' })
  @IsIn(CREDIT_LINES)
  line: CreditLine;

  @ApiProperty({ example: '5000.00', description: 'The extra credit asked for, in the line’s currency' })
  @IsMoneyString({ min: 'positive' })
  @Matches(LIMIT_RANGE, { message: 'amount must be below 100,000,000,000,000' })
  amount: string;

  @ApiProperty({ example: 'Server refresh for Harbourside Clinic (order of 3 × R760)' })
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @MaxLength(500)
  reason: string;

  @ApiPropertyOptional({
    description: 'Distributor staff only: the reseller asking; reseller users ask for their own',
  })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

export class ApproveCreditRequestDto {
  @ApiPropertyOptional({
    example: '55000.00',
    description: 'The line’s new limit; default its limit now plus the amount asked',
  })
  @IsOptional()
  @IsMoneyString({ min: 'nonNegative' })
  @Matches(LIMIT_RANGE, { message: 'limit must be below 100,000,000,000,000' })
  limit?: string;

  @ApiProperty({ example: 'Paid on time for 12 months' })
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @MaxLength(500)
  reason: string;
}

export class DeclineCreditRequestDto {
  @ApiProperty({ example: 'Two invoices are 60 days overdue' })
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @MaxLength(500)
  reason: string;
}

export class CreditRequestQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CREDIT_REQUEST_STATUSES })
  @IsOptional()
  @IsIn(CREDIT_REQUEST_STATUSES)
  status?: CreditRequestStatus;
  @ApiPropertyOptional({ description: 'Distributor staff only' }) @IsOptional() @IsUUID() resellerId?: string;
}

export class CreditRequestView {
  @ApiProperty() id: string;
  @ApiProperty() resellerId: string;
  @ApiProperty() resellerName: string;
  @ApiProperty({ enum: CREDIT_LINES }) line: CreditLine;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ example: '5000.00' }) amount: string;
  @ApiProperty() reason: string;
  @ApiProperty({ enum: CREDIT_REQUEST_STATUSES }) status: CreditRequestStatus;
  @ApiProperty({ nullable: true, type: String, description: 'The user who asked (id)' }) requestedBy: string | null;
  @ApiProperty() requestedAt: string;
  @ApiProperty({ nullable: true, type: String, description: 'The line’s limit before the approval' })
  previousLimit: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The line’s limit after the approval' })
  approvedLimit: string | null;
  @ApiProperty({ nullable: true, type: String }) answerReason: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The user who answered (id)' }) answeredBy: string | null;
  @ApiProperty({ nullable: true, type: String }) answeredAt: string | null;
}
