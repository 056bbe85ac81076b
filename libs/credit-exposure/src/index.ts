export * from './credit-exposure.module';
export * from './credit-exposure.service';
export type { ExposureView, CreditAlertView } from './dto/credit-exposure.dto';
