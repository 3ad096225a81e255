// The report choice every form that makes reports asks for: which report and
// in which format (reports pages, the bulk wizard's "report" operation), and
// optionally the period. Values and labels from lib/reports/kinds.
import type { ActionResult } from "@/lib/actions/result";
import { REPORT_FORMAT_LABELS, REPORT_FORMATS, REPORT_KIND_LABELS, REPORT_KINDS } from "@/lib/reports/kinds";
import { choicesOf, InputField, SelectField } from "./fields";

const KIND_CHOICES = choicesOf(REPORT_KINDS, REPORT_KIND_LABELS);
const FORMAT_CHOICES = choicesOf(REPORT_FORMATS, REPORT_FORMAT_LABELS);

export function ReportFields(props: {
  state?: ActionResult<unknown>;
  defaults?: { kind?: string; format?: string; from?: string; to?: string };
  /** The period's two date fields, with their labels (whether "to" is inclusive differs by form). */
  period?: { fromLabel: string; toLabel: string };
  controlClassName?: string;
}) {
  const d = props.defaults ?? {};
  return (
    <>
      <SelectField label="Report" name="kind" options={KIND_CHOICES} defaultValue={d.kind ?? "executive"} state={props.state} controlClassName={props.controlClassName} />
      <SelectField label="Format" name="format" options={FORMAT_CHOICES} defaultValue={d.format ?? "pdf"} state={props.state} controlClassName={props.controlClassName} />
      {props.period && (
        <>
          <InputField label={props.period.fromLabel} name="from" type="date" defaultValue={d.from ?? ""} state={props.state} controlClassName={props.controlClassName} />
          <InputField label={props.period.toLabel} name="to" type="date" defaultValue={d.to ?? ""} state={props.state} controlClassName={props.controlClassName} />
        </>
      )}
    </>
  );
}
