import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from '#disty/core';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const COUNTRY = /^[A-Z]{2}$/;
const COUNTRY_MESSAGE = 'country must be an ISO 3166-1 alpha-2 code such as "AU"';

export class CreateEndCustomerDto {
  @ApiPropertyOptional({
    description: 'Distributor staff only (required for them): the reseller the end customer belongs to',
  })
  @IsOptional()
  @IsUUID()
  resellerId?: string;

  @ApiProperty({ example: 'Acme Dental Group', description: 'Unique per reseller (exact, after trimming)' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'Jo Citizen' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  contactName?: string;

  @ApiPropertyOptional({ example: 'jo@acme.example' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  contactEmail?: string;

  @ApiPropertyOptional({ example: 'AU', description: 'ISO 3166-1 alpha-2' })
  @IsOptional()
  @Matches(COUNTRY, { message: COUNTRY_MESSAGE })
  country?: string;

  @ApiPropertyOptional({ example: '51 824 753 556' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  taxId?: string;

  @ApiPropertyOptional({
    example: 'ACME-001',
    description: "The reseller's own reference for the end customer",
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  reference?: string;
}

/** Omitted fields stay; null clears an optional field. The name cannot be cleared. */
export class UpdateEndCustomerDto {
  @ApiPropertyOptional({ example: 'Acme Dental Group Pty Ltd' })
  @ValidateIf((o: UpdateEndCustomerDto) => o.name !== undefined)
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  contactName?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  contactEmail?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'ISO 3166-1 alpha-2' })
  @IsOptional()
  @Matches(COUNTRY, { message: COUNTRY_MESSAGE })
  country?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  taxId?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  reference?: string | null;
}

export class EndCustomerQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Name search: case-insensitive, matches anywhere in the name (prefix matches first)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'Distributor staff: limit to one reseller' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

export class EndCustomerView {
  @ApiProperty() id: string;
  @ApiProperty() resellerId: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) contactName: string | null;
  @ApiProperty({ nullable: true, type: String }) contactEmail: string | null;
  @ApiProperty({ nullable: true, type: String }) country: string | null;
  @ApiProperty({ nullable: true, type: String }) taxId: string | null;
  @ApiProperty({ nullable: true, type: String }) reference: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class EndCustomerPageView {
  @ApiProperty({ type: [EndCustomerView] }) items: EndCustomerView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}
