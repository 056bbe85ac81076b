import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { Product } from './contract';

export interface CartItem {
  product: Product;
  quantity: number;
  /** Cloud lines: the subscription's start date (default today). */
  startDate?: string;
}

interface Cart {
  items: CartItem[];
  add(product: Product, quantity: number): void;
  setQuantity(sku: string, quantity: number): void;
  setStartDate(sku: string, startDate: string | undefined): void;
  remove(sku: string): void;
  clear(): void;
  count: number;
}

const KEY = 'disty.cart';
const CartContext = createContext<Cart | null>(null);

export function useCart(): Cart {
  const c = useContext(CartContext);
  if (!c) throw new Error('useCart outside CartProvider');
  return c;
}

function restore(): CartItem[] {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as CartItem[]) : [];
  } catch {
    return [];
  }
}

/** One cart for hardware and cloud together; kept for the browser tab (sessionStorage). */
export function CartProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<CartItem[]>(restore);
  useEffect(() => sessionStorage.setItem(KEY, JSON.stringify(items)), [items]);

  const add = useCallback((product: Product, quantity: number) => {
    setItems((cur) => {
      const at = cur.findIndex((i) => i.product.sku === product.sku);
      if (at < 0) return [...cur, { product, quantity }];
      return cur.map((i, n) => (n === at ? { ...i, quantity: i.quantity + quantity } : i));
    });
  }, []);
  const setQuantity = useCallback(
    (sku: string, quantity: number) => setItems((cur) => cur.map((i) => (i.product.sku === sku ? { ...i, quantity } : i))),
    [],
  );
  const setStartDate = useCallback(
    (sku: string, startDate: string | undefined) => setItems((cur) => cur.map((i) => (i.product.sku === sku ? { ...i, startDate } : i))),
    [],
  );
  const remove = useCallback((sku: string) => setItems((cur) => cur.filter((i) => i.product.sku !== sku)), []);
  const clear = useCallback(() => setItems([]), []);
  const value = useMemo(
    () => ({
      items,
      add,
      setQuantity,
      setStartDate,
      remove,
      clear,
      count: items.reduce((n, i) => n + i.quantity, 0),
    }),
    [items, add, setQuantity, setStartDate, remove, clear],
  );
  return <CartContext.Provider value={value}>{children}</CartContext.Provider>;
}
