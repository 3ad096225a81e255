// The operations by name.
import type { Operation, OperationParams } from "../model";
import { rotateKeysOperation } from "./keys";
import { resumeOperation, suspendOperation } from "./lifecycle";
import { planOperation } from "./plan";
import { reportOperation } from "./report";
import { settingOperation } from "./setting";
import type { OperationImpl } from "./types";

const IMPLS: Record<Operation, OperationImpl<never>> = {
  setting: settingOperation,
  plan: planOperation,
  rotate_keys: rotateKeysOperation,
  suspend: suspendOperation,
  resume: resumeOperation,
  report: reportOperation,
};

export function operationImpl(p: OperationParams): OperationImpl<OperationParams> {
  return IMPLS[p.operation] as unknown as OperationImpl<OperationParams>;
}

export type { Applied, OperationImpl, PlanLine, Undone } from "./types";
