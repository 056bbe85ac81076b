import { Controller, Get } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Public } from '#disty/core';

export class PublicConfigView {
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Stripe publishable key; null when card payments are not configured',
  })
  stripePublishableKey: string | null;
  @ApiProperty({
    description: 'Card payments are possible: a publishable and a secret Stripe key are both configured',
  })
  cardPayments: boolean;
}

/** Configuration a browser client may know (never a secret): what the portal needs before sign-in. */
@ApiTags('config')
@Controller('config/public')
export class PublicConfigController {
  constructor(private readonly config: ConfigService) {}

  @Get()
  @Public()
  @ApiOperation({
    operationId: 'getPublicConfig',
    summary: 'Read the configuration a browser client may know before sign-in',
  })
  @ApiOkResponse({ type: PublicConfigView })
  get(): PublicConfigView {
    const key = this.config.get<string>('STRIPE_PUBLISHABLE_KEY') || null;
    const publishable = key && /^pk_(test|live)_\w+$/.test(key) ? key : null;
    return {
      stripePublishableKey: publishable,
      cardPayments: !!publishable && !!this.config.get<string>('STRIPE_SECRET_KEY'),
    };
  }
}
