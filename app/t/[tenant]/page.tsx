import { redirect } from "next/navigation";

export default function TenantHome() {
  redirect("/alerts");
}
