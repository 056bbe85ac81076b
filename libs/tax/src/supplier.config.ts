import { environment, Environment, validationError } from '#disty/core';

/**
 * Who issues the invoices (the distributor) and where to pay them, from the environment with dev
 * defaults (README, "Configuration"). SUPPLIER_COUNTRY is also the seller jurisdiction the tax
 * rules are read for.
 */
export interface SupplierSettings {
  legalName: string;
  taxRegistrationLabel: string;
  taxRegistration: string;
  address: string;
  country: string;
  email: string;
  bank: { accountName: string; bankName: string; bsb: string; accountNumber: string; swift: string };
}

export const SUPPLIER_SETTINGS = Symbol('SUPPLIER_SETTINGS');

export function supplierSettings(env: Partial<Record<keyof Environment, unknown>> = environment()): SupplierSettings {
  const get = (k: keyof Environment, d: string) => String(env[k] ?? '').trim() || d;
  const country = get('SUPPLIER_COUNTRY', 'AU');
  if (!/^[A-Z]{2}$/.test(country)) {
    throw validationError('SUPPLIER_COUNTRY must be an ISO 3166-1 alpha-2 code such as "AU"', [
      { field: 'SUPPLIER_COUNTRY', message: 'not a country code' },
    ]);
  }
  return {
    legalName: get('SUPPLIER_LEGAL_NAME', 'Disty Distribution Pty Ltd'),
    taxRegistrationLabel: get('SUPPLIER_TAX_LABEL', 'ABN'),
    taxRegistration: get('SUPPLIER_ABN', '51 824 753 556'),
    address: get('SUPPLIER_ADDRESS', 'Level 4, 100 Harbour Street, Sydney NSW 2000, Australia'),
    country,
    email: get('SUPPLIER_EMAIL', 'accounts@disty.example'),
    bank: {
      accountName: get('BANK_ACCOUNT_NAME', 'Disty Distribution Pty Ltd'),
      bankName: get('BANK_NAME', 'Example Bank'),
      bsb: get('BANK_BSB', '062-000'),
      accountNumber: get('BANK_ACCOUNT_NUMBER', '1234 5678'),
      swift: get('BANK_SWIFT', 'EXAMAU2S'),
    },
  };
}
