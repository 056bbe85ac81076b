export * from './identity.module';
export * from './identity.service';
export * from './dto/create-user.dto';
export { TokenCache } from './token-cache';
export * from './auth/auth.service';
export * from './auth/password-link-outbox';
export * from './auth/cookies';
