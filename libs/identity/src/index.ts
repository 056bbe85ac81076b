export * from './identity.module';
export * from './identity.service';
export * from './dto/create-user.dto';
export { TokenCache } from './token-cache';
