/**
 * Checks JSON values against the `stripe` package's own declarations, read once through the TypeScript compiler:
 * every required property present (optional `?` ones may be absent), no property the type does not declare, and
 * primitives, literal unions, null, arrays and nested interfaces matched. Expandable fields (`string | Stripe.X`)
 * accept either; index signatures (`Stripe.Metadata`) check each value; a loosely typed slot (`unknown`, an empty
 * interface such as `Event.Data.Object`) is checked against the kind its own `object` field names.
 */
import ts from 'typescript';

export interface Mismatch {
  path: string;
  problem: 'missing' | 'extra' | 'mistyped' | 'unknown kind';
  detail: string;
}

export interface ConformanceChecker {
  kinds: string[];
  /** Mismatches of a top-level object against the kind named by its `object` field (or `kind`). */
  check(value: unknown, kind?: string): Mismatch[];
}

type Json = Record<string, unknown>;

/** Loads `kindsFile`, which declares `interface StripeKinds { <object>: Stripe.X; … }`. Takes a few seconds. */
export function loadChecker(kindsFile: string): ConformanceChecker {
  const program = ts.createProgram([kindsFile], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    noEmit: true,
    types: [],
    lib: ['lib.es2023.d.ts'],
  });
  const tc = program.getTypeChecker();
  const source = program.getSourceFile(kindsFile);
  const decl = source?.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'StripeKinds',
  );
  if (!decl) throw new Error(`${kindsFile} declares no interface StripeKinds`);
  const kinds = new Map<string, ts.Type>();
  for (const prop of tc.getPropertiesOfType(tc.getTypeAtLocation(decl))) kinds.set(prop.name, tc.getTypeOfSymbol(prop));
  for (const [kind, type] of kinds)
    if (type.flags & ts.TypeFlags.Any) throw new Error(`StripeKinds.${kind} did not resolve`);

  const kindOf = (v: Json) => (v.deleted === true ? `deleted ${String(v.object)}` : String(v.object));
  const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  const isOtherString = (t: ts.Type) => t.isIntersection() && t.types.some((m) => m.flags & ts.TypeFlags.String);
  const isDecimal = (t: ts.Type) => (t.aliasSymbol ?? t.getSymbol())?.name === 'Decimal';
  const literalProps = (t: ts.Type) =>
    tc
      .getPropertiesOfType(t)
      .map((p) => [p.name, tc.getTypeOfSymbol(p)] as const)
      .filter(([, pt]) => isLiterals(pt));
  const isLiterals = (t: ts.Type): boolean =>
    t.isUnion() ? t.types.every(isLiterals) : t.isStringLiteral() || t.isNumberLiteral();
  const acceptsLiteral = (t: ts.Type, v: unknown): boolean =>
    t.isUnion() ? t.types.some((m) => acceptsLiteral(m, v)) : (t as ts.LiteralType).value === v;

  /** Whether `value` could be a `type` at all: same JSON type and, for objects, no clashing literal field (`object`, `type`). */
  function plausible(value: unknown, type: ts.Type): boolean {
    const f = type.flags;
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
    if (value === null) return !!(f & ts.TypeFlags.Null);
    if (typeof value === 'string')
      return (
        !!(f & ts.TypeFlags.String) ||
        (type.isStringLiteral() && type.value === value) ||
        isDecimal(type) ||
        isOtherString(type)
      );
    if (typeof value === 'number')
      return !!(f & ts.TypeFlags.Number) || (type.isNumberLiteral() && type.value === value);
    if (typeof value === 'boolean')
      return !!(f & ts.TypeFlags.BooleanLiteral) && tc.typeToString(type) === String(value);
    if (Array.isArray(value)) return tc.isArrayType(type);
    if (
      !(f & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) ||
      tc.isArrayType(type) ||
      isDecimal(type) ||
      isOtherString(type)
    )
      return false;
    return literalProps(type).every(
      ([name, pt]) => !(name in (value as Json)) || acceptsLiteral(pt, (value as Json)[name]),
    );
  }

  function walk(value: unknown, type: ts.Type, path: string, out: Mismatch[]): void {
    const mistyped = () =>
      out.push({
        path,
        problem: 'mistyped',
        detail: `expected ${tc.typeToString(type)}, got ${jsonType(value)} ${JSON.stringify(value)?.slice(0, 60)}`,
      });
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) {
      byOwnKind(value, path, out);
      return;
    }
    if (isDecimal(type)) return void (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? 0 : mistyped());
    if (type.isUnion()) {
      // A present JSON value is never `undefined`, the extra member of every optional property's type.
      // `OtherString` (`string & {}`) keeps an enum open for values newer than the SDK; the emulator must send one
      // of the values this SDK names, so an enum's open end accepts nothing.
      const isEnum = type.types.some((m) => m.isStringLiteral());
      const candidates = type.types.filter(
        (m) => !(m.flags & ts.TypeFlags.Undefined) && !(isEnum && isOtherString(m)) && plausible(value, m),
      );
      if (candidates.length === 0) return void mistyped();
      let best: Mismatch[] | undefined;
      for (const member of candidates) {
        const found: Mismatch[] = [];
        walk(value, member, path, found);
        if (found.length === 0) return;
        if (!best || found.length < best.length) best = found;
      }
      return void out.push(...best!);
    }
    if (!plausible(value, type)) return void mistyped();
    if (Array.isArray(value)) {
      const element = tc.getTypeArguments(type as ts.TypeReference)[0]!;
      value.forEach((v, i) => {
        walk(v, element, `${path}[${i}]`, out);
      });
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const obj = value as Json;
    const props = tc.getPropertiesOfType(type);
    const index = tc.getIndexInfosOfType(type).find((i) => i.keyType.flags & ts.TypeFlags.String);
    if (props.length === 0 && !index) {
      byOwnKind(value, path, out);
      return;
    }
    const declared = new Set(props.map((p) => p.name));
    for (const prop of props) {
      if (!(prop.name in obj)) {
        if (!(prop.flags & ts.SymbolFlags.Optional))
          out.push({
            path: `${path}.${prop.name}`,
            problem: 'missing',
            detail: `${tc.typeToString(tc.getTypeOfSymbol(prop))} required by ${tc.typeToString(type)}`,
          });
        continue;
      }
      walk(obj[prop.name], tc.getTypeOfSymbol(prop), `${path}.${prop.name}`, out);
    }
    for (const key of Object.keys(obj)) {
      if (declared.has(key)) continue;
      if (index) walk(obj[key], index.type, `${path}.${key}`, out);
      else out.push({ path: `${path}.${key}`, problem: 'extra', detail: `not declared by ${tc.typeToString(type)}` });
    }
  }

  function byOwnKind(value: unknown, path: string, out: Mismatch[]): void {
    if (
      value === null ||
      typeof value !== 'object' ||
      Array.isArray(value) ||
      typeof (value as Json).object !== 'string'
    )
      return;
    const type = kinds.get(kindOf(value as Json));
    if (!type)
      return void out.push({
        path,
        problem: 'unknown kind',
        detail: `no StripeKinds entry for '${kindOf(value as Json)}'`,
      });
    walk(value, type, path, out);
  }

  return {
    kinds: [...kinds.keys()],
    check(value, kind) {
      const out: Mismatch[] = [];
      if (kind === undefined) byOwnKind(value, '$', out);
      else if (!kinds.has(kind))
        out.push({ path: '$', problem: 'unknown kind', detail: `no StripeKinds entry for '${kind}'` });
      else walk(value, kinds.get(kind)!, '$', out);
      return out;
    },
  };
}
