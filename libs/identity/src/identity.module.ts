import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { AccountController } from './auth/account.controller';
import { AccountService } from './auth/account.service';
import { AuthController } from './auth/auth.controller';
import { AuthService } from './auth/auth.service';
import { PasswordLinkOutbox } from './auth/password-link-outbox';
import { AuthGuard } from './auth.guard';
import { IdentityService } from './identity.service';
import { TokenCache } from './token-cache';
import { MeController } from './me.controller';
import { UsersController } from './users.controller';

@Module({
  controllers: [UsersController, MeController, AccountController, AuthController],
  providers: [IdentityService, TokenCache, AuthService, AccountService, PasswordLinkOutbox, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [IdentityService, AuthService, PasswordLinkOutbox],
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
