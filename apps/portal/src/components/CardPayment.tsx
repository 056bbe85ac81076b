import { Elements, PaymentElement, useElements, useStripe } from '@stripe/react-stripe-js';
import type { Stripe } from '@stripe/stripe-js';
import { loadStripe } from '@stripe/stripe-js/pure';
import { FormEvent, useEffect, useState } from 'react';
import { client, ok } from '../api';
import type { Invoice } from '../contract';
import { formatMoney } from '../format';
import { ErrorBanner, Loading } from './ui';

const stripes = new Map<string, Promise<Stripe | null>>();
const stripeFor = (key: string) => {
  if (!stripes.has(key)) stripes.set(key, loadStripe(key));
  return stripes.get(key)!;
};

interface Props {
  invoice: Invoice;
  publishableKey: string;
  onDone(message: string): void;
  onCancel(): void;
}

/** Card payment of an invoice with Stripe Elements: the API creates the PaymentIntent, Stripe's iframe takes the card. */
export default function CardPayment({ invoice, publishableKey, onDone, onCancel }: Props) {
  const [clientSecret, setClientSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    ok(client.POST('/api/v1/invoices/{id}/payment-intents', { params: { path: { id: invoice.id } } }))
      .then((r) => live && setClientSecret(r.clientSecret))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [invoice.id]);

  if (error) {
    return (
      <>
        <ErrorBanner error={error} title="The card payment could not start" />
        <button type="button" onClick={onCancel}>
          Back
        </button>
      </>
    );
  }
  if (!clientSecret) return <Loading what="Preparing the payment" />;
  return (
    <Elements stripe={stripeFor(publishableKey)} options={{ clientSecret }}>
      <CardForm invoice={invoice} onDone={onDone} onCancel={onCancel} />
    </Elements>
  );
}

function CardForm({ invoice, onDone, onCancel }: Omit<Props, 'publishableKey'>) {
  const stripe = useStripe();
  const elements = useElements();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!stripe || !elements) return;
    setBusy(true);
    setError(null);
    const result = await stripe.confirmPayment({
      elements,
      redirect: 'if_required',
      confirmParams: { return_url: window.location.href },
    });
    setBusy(false);
    if (result.error) {
      setError(result.error.message ?? 'The card was not charged.');
      return;
    }
    onDone(
      `Card payment of ${formatMoney(invoice.amountDue, invoice.currency)} accepted. It shows on the invoice once Stripe confirms it to your distributor.`,
    );
  };

  return (
    <form onSubmit={submit} aria-label={`Card payment for invoice ${invoice.number}`}>
      <PaymentElement />
      {error && (
        <div className="banner banner-error" role="alert">
          <strong>The payment did not go through</strong>
          <p>{error}</p>
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={!stripe || busy}>
          {busy ? 'Paying…' : `Pay ${formatMoney(invoice.amountDue, invoice.currency)}`}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
