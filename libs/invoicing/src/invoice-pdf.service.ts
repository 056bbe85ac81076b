// Reads invoice_lines (this module's) for the tax invoice's per-code totals and SKUs; the rest through the owning modules' services.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { minorUnits, moneyString } from '#disty/core';
import { CatalogService } from '#disty/catalog';
import { ResellerService } from '#disty/reseller';
import { TaxService } from '#disty/tax';
import { InvoiceParties, streamInvoicePdf } from './invoice-pdf';
import { InvoiceService } from './invoice.service';

/**
 * The tax invoice PDF (docs/accounting.md §11, "Tax invoices"): the supplier from configuration
 * (TaxService.supplier), the buyer's legal name, address and tax id (ResellerService), product
 * names (CatalogService), the codes on the lines with their notes (TaxService), then the lines
 * page by page (InvoiceService.linePages).
 */
@Injectable()
export class InvoicePdfService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly invoices: InvoiceService,
    private readonly resellers: ResellerService,
    private readonly catalog: CatalogService,
    private readonly tax: TaxService,
  ) {}

  async stream(id: string, scope: string | null): Promise<{ number: string; pdf: PDFKit.PDFDocument }> {
    const invoice = await this.invoices.getHead(id, scope);
    const buyer = await this.resellers.getReseller(invoice.resellerId);
    const byCode: Array<{ tax_code: string | null; rate: string; net: string; tax: string }> = await this.db.query(
      `SELECT tax_code, tax_rate::text AS rate, sum(net)::text AS net, sum(tax)::text AS tax FROM invoice_lines
        WHERE invoice_id = $1 GROUP BY tax_code, tax_rate ORDER BY tax_code NULLS LAST, tax_rate`,
      [id],
    );
    const skus: Array<{ sku: string }> = await this.db.query(`SELECT DISTINCT sku FROM invoice_lines WHERE invoice_id = $1`, [id]);
    const products = await this.catalog.getProducts(
      skus.map((s) => s.sku),
      invoice.currency,
    );
    const codes = await this.tax.describe(byCode.map((c) => c.tax_code).filter((c): c is string => c !== null));
    const parties: InvoiceParties = {
      supplier: this.tax.supplier(),
      buyer: {
        legalName: invoice.resellerName,
        address: buyer.address,
        country: buyer.country,
        taxId: buyer.taxId,
        taxRegistered: buyer.taxRegistered,
      },
      taxByCode: byCode.map((c) => ({
        taxCode: c.tax_code,
        rate: c.rate,
        net: moneyString(c.net, invoice.currency),
        tax: moneyString(c.tax, invoice.currency),
      })),
      taxCodes: codes,
      productNames: new Map([...products.values()].map((p) => [p.sku, p.name])),
    };
    const pdf = streamInvoicePdf(invoice, parties, (line) => this.invoices.linePages(invoice, line), minorUnits(invoice.currency));
    return { number: invoice.number, pdf };
  }
}
