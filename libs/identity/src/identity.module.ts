import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { IdentityService } from './identity.service';
import { TokenCache } from './token-cache';
import { MeController } from './me.controller';
import { UsersController } from './users.controller';

@Module({
  controllers: [UsersController, MeController],
  providers: [IdentityService, TokenCache, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [IdentityService],
})
export class IdentityModule implements OnApplicationBootstrap {
  constructor(
    private readonly identity: IdentityService,
    private readonly config: ConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const token = this.config.get<string>('BOOTSTRAP_ADMIN_TOKEN');
    if (token) await this.identity.ensureBootstrapAdmin(token);
  }
}
