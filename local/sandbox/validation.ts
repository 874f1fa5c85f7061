/**
 * Member validation as AWS's request validation words it: every problem of a request is
 * collected, then reported in one message, `2 validation errors detected: Value null at
 * 'destinationPhoneNumber' failed to satisfy constraint: Member must not be null; ...`.
 * Each operation turns the problems into its service's error (ValidationException,
 * InvalidParameterException…).
 */

export interface MemberProblem {
  /** The member as the model names it (`DestinationPhoneNumber`). */
  member: string;
  /** The constraint it broke (`Member must not be null`). */
  constraint: string;
  /** The whole sentence for this member. */
  message: string;
}

interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** Also refuse a value that is only whitespace. */
  notBlank?: boolean;
}

/** How AWS names a member in its validation messages: the first letter lower-cased. */
const pathOf = (member: string) => member.charAt(0).toLowerCase() + member.slice(1);

/** A value as AWS quotes it in a message (long values cut). */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

export class MemberChecks {
  readonly problems: MemberProblem[] = [];

  constructor(private readonly body: Record<string, unknown>) {}

  get ok(): boolean {
    return this.problems.length === 0;
  }

  /** `1 validation error detected: ...; ...` */
  get message(): string {
    const n = this.problems.length;
    return `${n} validation error${n === 1 ? '' : 's'} detected: ${this.problems.map((p) => p.message).join('; ')}`;
  }

  fail(member: string, value: unknown, constraint: string): void {
    const shown = value === undefined || value === null ? 'null' : `'${quote(value)}'`;
    this.problems.push({
      member,
      constraint,
      message: `Value ${shown} at '${pathOf(member)}' failed to satisfy constraint: ${constraint}`,
    });
  }

  private has(member: string): boolean {
    return this.body[member] !== undefined && this.body[member] !== null;
  }

  /** A required member: present (any checks on its value follow separately). */
  required(...members: string[]): this {
    for (const member of members) if (!this.has(member)) this.fail(member, undefined, 'Member must not be null');
    return this;
  }

  /** An optional (or already required) string member. Answers the string when it passed. */
  string(member: string, rule: StringRule = {}): string | undefined {
    if (!this.has(member)) return undefined;
    const value = this.body[member];
    if (typeof value !== 'string') {
      this.fail(member, value, 'Member must be a string');
      return undefined;
    }
    return this.checkString(member, value, rule) ? value : undefined;
  }

  private checkString(member: string, value: string, rule: StringRule, label = 'Member'): boolean {
    const length = [...value].length;
    if (rule.min !== undefined && length < rule.min) {
      this.fail(member, value, `${label} must have length greater than or equal to ${rule.min}`);
      return false;
    }
    if (rule.max !== undefined && length > rule.max) {
      this.fail(member, value, `${label} must have length less than or equal to ${rule.max}`);
      return false;
    }
    if (rule.notBlank && value.trim() === '') {
      this.fail(member, value, `${label} must not be blank`);
      return false;
    }
    if (rule.pattern && !rule.pattern.test(value)) {
      this.fail(member, value, `${label} must satisfy regular expression pattern: ${rule.pattern.source}`);
      return false;
    }
    return true;
  }

  enumeration<T extends string>(member: string, values: readonly T[]): T | undefined {
    if (!this.has(member)) return undefined;
    const value = this.body[member];
    if (typeof value !== 'string' || !values.includes(value as T)) {
      this.fail(member, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
      return undefined;
    }
    return value as T;
  }

  integer(member: string, min?: number, max?: number): number | undefined {
    if (!this.has(member)) return undefined;
    const value = this.body[member];
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.fail(member, value, 'Member must be an integer');
      return undefined;
    }
    if (min !== undefined && value < min) {
      this.fail(member, value, `Member must have value greater than or equal to ${min}`);
      return undefined;
    }
    if (max !== undefined && value > max) {
      this.fail(member, value, `Member must have value less than or equal to ${max}`);
      return undefined;
    }
    return value;
  }

  boolean(member: string): boolean | undefined {
    if (!this.has(member)) return undefined;
    const value = this.body[member];
    if (typeof value !== 'boolean') {
      this.fail(member, value, 'Member must be a boolean');
      return undefined;
    }
    return value;
  }

  /** A string-to-string map. */
  stringMap(
    member: string,
    rule: { maxEntries?: number; key?: StringRule; value?: StringRule } = {},
  ): Record<string, string> | undefined {
    if (!this.has(member)) return undefined;
    const map = this.body[member];
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      this.fail(member, map, 'Member must be a map');
      return undefined;
    }
    const entries = Object.entries(map);
    if (rule.maxEntries !== undefined && entries.length > rule.maxEntries) {
      this.fail(member, map, `Member must have length less than or equal to ${rule.maxEntries}`);
      return undefined;
    }
    for (const [key, value] of entries) {
      if (!this.checkString(member, key, rule.key ?? {}, 'Map keys')) return undefined;
      if (typeof value !== 'string') {
        this.fail(member, map, 'Map value must be a string');
        return undefined;
      }
      if (!this.checkString(member, value, rule.value ?? {}, 'Map value')) return undefined;
    }
    return map as Record<string, string>;
  }

  /** A structure member: an object, whose own members the caller checks with another MemberChecks. */
  structure(member: string): Record<string, unknown> | undefined {
    if (!this.has(member)) return undefined;
    const value = this.body[member];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(member, value, 'Member must be a structure');
      return undefined;
    }
    return value as Record<string, unknown>;
  }
}

/** Copy the members that are present (not undefined/null), in the order given. */
export function pick(body: Record<string, unknown>, members: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const member of members) {
    if (body[member] !== undefined && body[member] !== null) out[member] = body[member];
  }
  return out;
}
