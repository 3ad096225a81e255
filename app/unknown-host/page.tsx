import { notFound } from "next/navigation";

// The proxy sends every request for a host that names no portal here.
export default function UnknownHost() {
  notFound();
}
