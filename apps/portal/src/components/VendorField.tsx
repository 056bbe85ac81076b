import type { Vendor } from '../contract';

/** A required vendor picker (usage imports, vendor reconciliations): the vendors the page loaded, by name. */
export function VendorField({
  id,
  vendors,
  value,
  onChange,
}: {
  id: string;
  vendors: Vendor[];
  value: string;
  onChange: (id: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>Vendor</label>
      <select id={id} required value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose a vendor</option>
        {vendors.map((v) => (
          <option key={v.id} value={v.id}>
            {v.name}
          </option>
        ))}
      </select>
    </div>
  );
}
