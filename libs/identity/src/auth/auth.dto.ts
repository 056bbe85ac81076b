import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { UserResponse } from '../dto/create-user.dto';

export class SignInDto {
  @ApiProperty({ example: 'buyer@harbour.demo' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  password: string;

  @ApiPropertyOptional({
    example: '123456',
    description: 'The 6-digit code, for an account with two-factor sign-in',
  })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  totpCode?: string;
}

export class SignInResponse {
  @ApiProperty({ type: UserResponse }) user: UserResponse;
  @ApiProperty({
    description: 'Send it as the X-CSRF-Token header on unsafe requests; also in the disty_csrf cookie',
  })
  csrfToken: string;
  @ApiProperty({
    description: 'When the session ends at the latest (it also ends after SESSION_IDLE_MINUTES idle)',
  })
  expiresAt: string;
}

export class PasswordResetDto {
  @ApiProperty({ example: 'buyer@harbour.demo' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  email: string;
}

export class PasswordResetAccepted {
  @ApiProperty({ example: 'If a user has this email, a one-time link to set a new password was sent.' })
  message: string;
}

export class PasswordLinkConfirmDto {
  @ApiProperty({ description: 'The token from the one-time link' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token: string;

  @ApiProperty({ description: 'At least 12 characters, not the email' })
  @IsString()
  @MaxLength(256)
  password: string;
}

export class TotpCodeDto {
  @ApiProperty({ example: '123456' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code: string;
}

export class TotpStatusView {
  @ApiProperty() enabled: boolean;
}

export class TotpEnrolmentView {
  @ApiProperty({ description: 'Base32 secret, shown this once' }) secret: string;
  @ApiProperty({ description: 'otpauth:// URL for an authenticator app, shown this once' })
  otpauthUrl: string;
}

export class CreateApiTokenDto {
  @ApiProperty({ example: 'ERP integration' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;
}

export class ApiTokenView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt: string | null;
}

export class ApiTokenCreatedView extends ApiTokenView {
  @ApiProperty({ description: 'The token, shown this once: Authorization: Bearer <token>' }) token: string;
}

export class ApiTokenListView {
  @ApiProperty({ type: [ApiTokenView] }) items: ApiTokenView[];
}
