import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsUUID, MaxLength } from 'class-validator';
import { ROLES, RESELLER_ROLES, Role } from '#disty/core';

export class CreateUserDto {
  @ApiProperty({ example: 'ops@distributor.example' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES as unknown as string[])
  role: Role;

  @ApiPropertyOptional({ description: 'Required for reseller roles' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

export class CreateResellerUserDto {
  @ApiProperty({ example: 'buyer@reseller.example' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ enum: RESELLER_ROLES })
  @IsIn(RESELLER_ROLES as unknown as string[])
  role: Role;
}

export class UserResponse {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ nullable: true, type: String }) resellerId: string | null;
  @ApiPropertyOptional({ description: 'Returned once, at creation' }) token?: string;
}

export class UserListView {
  @ApiProperty({ type: [UserResponse] }) items: UserResponse[];
}
