import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CURRENCIES, Currency, PageQueryDto } from '#disty/core';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Printable text: no control characters (PostgreSQL text cannot hold NUL). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;

/** POST /vendors: a catalog vendor as a supplier the distributor is billed by. */
export class CreateVendorDto {
  @ApiProperty({
    example: 'Dell',
    description: 'Exactly the catalog vendor name (products.vendor), unique case-insensitively',
  })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @Matches(PRINTABLE, { message: 'name must not contain control characters' })
  name: string;

  @ApiPropertyOptional({
    enum: CURRENCIES,
    example: 'AUD',
    description: 'The currency its bills default to (default AUD)',
  })
  @IsOptional()
  @IsIn(CURRENCIES)
  currency?: Currency;

  @ApiPropertyOptional({ example: 30, description: 'Days from the bill date to its due date (default 30)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365)
  paymentTermsDays?: number;
}

/** PATCH /vendors/:id. The name is not changed: accruals find their vendor by it. */
export class UpdateVendorDto {
  @ApiPropertyOptional({ enum: CURRENCIES, description: 'Applies to bills recorded afterwards' })
  @IsOptional()
  @IsIn(CURRENCIES)
  currency?: Currency;

  @ApiPropertyOptional({ description: 'Applies to bills recorded afterwards' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365)
  paymentTermsDays?: number;

  @ApiPropertyOptional({ description: 'An inactive vendor cannot be billed' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class VendorQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Matches the name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(PRINTABLE, { message: 'q must not contain control characters' })
  q?: string;
}

export class VendorView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty() paymentTermsDays: number;
  @ApiProperty() active: boolean;
  @ApiProperty() createdAt: string;
}
