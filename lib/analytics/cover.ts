// Which rollup rows add up to "every tenant the caller may read" (migration
// 20261201024000). A subtree root's row in public.alert_subtree_rollups sums
// its whole subtree, so it may stand in for those tenants only when the
// caller may read every one of them. The cover is the highest such roots;
// the readable tenants outside them are summed from their own daily rows.
//
// `tenants` is the tree as the caller sees it (RLS): visibility is closed
// under descent, so a visible tenant's children are all there. Offboarded
// (deprovisioned) tenants are left out by the callers and do not matter
// here: the offboarding purge deleted their alerts, so they have no rollups.

export interface CoverTenant {
  id: string;
  parentId: string | null;
}

export interface RollupCover {
  /** Subtree roots whose every tenant is readable: read from alert_subtree_rollups. */
  roots: string[];
  /** Readable tenants under no root: read from alert_daily_rollups. */
  singles: string[];
}

export function subtreeCover(tenants: readonly CoverTenant[], readable: Iterable<string>): RollupCover {
  const canRead = new Set(readable);
  const children = new Map<string, string[]>();
  const known = new Set(tenants.map((t) => t.id));
  for (const t of tenants) {
    if (t.parentId && known.has(t.parentId)) {
      const list = children.get(t.parentId);
      if (list) list.push(t.id);
      else children.set(t.parentId, [t.id]);
    }
  }
  // Whole: readable, and so is every tenant below it. Iterative post-order (trees can be deep).
  const whole = new Map<string, boolean>();
  const tops = tenants.filter((t) => !t.parentId || !known.has(t.parentId)).map((t) => t.id);
  const stack: Array<{ id: string; expanded: boolean }> = tops.map((id) => ({ id, expanded: false }));
  while (stack.length > 0) {
    const at = stack.pop()!;
    const kids = children.get(at.id) ?? [];
    if (!at.expanded) {
      stack.push({ id: at.id, expanded: true });
      for (const k of kids) stack.push({ id: k, expanded: false });
    } else {
      whole.set(at.id, canRead.has(at.id) && kids.every((k) => whole.get(k)));
    }
  }
  const roots: string[] = [];
  const singles: string[] = [];
  const walk: string[] = [...tops];
  while (walk.length > 0) {
    const id = walk.pop()!;
    if (whole.get(id)) {
      roots.push(id);
      continue;
    }
    if (canRead.has(id)) singles.push(id);
    walk.push(...(children.get(id) ?? []));
  }
  // A readable id the tree does not hold (not visible: RLS would drop it anyway) is summed as itself.
  for (const id of canRead) if (!known.has(id)) singles.push(id);
  return { roots: roots.sort(), singles: singles.sort() };
}
