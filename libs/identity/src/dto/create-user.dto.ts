import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsUUID, MaxLength } from 'class-validator';
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
  @ApiPropertyOptional({
    description:
      'Returned once, at creation by an admin: a one-time link (valid 72 hours) where the user sets a password (docs/security.md §8)',
  })
  setPasswordLink?: string;
  @ApiPropertyOptional({ description: 'In lists: false once deactivated (no sign-in, tokens revoked)' })
  active?: boolean;
  @ApiPropertyOptional({ description: 'In lists: the user has set a password' }) hasPassword?: boolean;
  @ApiPropertyOptional({ description: 'In lists: two-factor sign-in (TOTP) is on' }) totpEnabled?: boolean;
}

export class UpdateUserDto {
  @ApiPropertyOptional({
    enum: ROLES,
    description: 'A role of the same kind (distributor staff or reseller)',
  })
  @IsOptional()
  @IsIn(ROLES as unknown as string[])
  role?: Role;

  @ApiPropertyOptional({ description: 'false deactivates: sessions end, API tokens are revoked' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UserListView {
  @ApiProperty({ type: [UserResponse] }) items: UserResponse[];
}
