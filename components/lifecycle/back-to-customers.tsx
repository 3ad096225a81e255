// The way back to the Customers list, above each page under /customers.
export function BackToCustomers() {
  return (
    <p className="mb-2 text-sm">
      <a href="/customers" className="text-brand hover:underline">
        ← Customers
      </a>
    </p>
  );
}
