import { StatusPage } from "@/components/ui/status-page";

export default function NotFound() {
  return (
    <StatusPage
      code="404"
      title="Nothing here"
      message={
        <>
          There is no portal page at this address. Check the address for typos; if your MSSP gave you a portal link,
          use that link exactly.
        </>
      }
    />
  );
}
