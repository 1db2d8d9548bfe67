import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Every custom search attribute Flywheel writes, in one place: the dev server registers them at start,
 * `flywheel` checks them against a production namespace, and workflows upsert them through these keys.
 */
export const SA = {
  FlywheelStage: defineSearchAttributeKey('FlywheelStage', SearchAttributeType.KEYWORD),
  Owner: defineSearchAttributeKey('Owner', SearchAttributeType.KEYWORD),
  IcpTier: defineSearchAttributeKey('IcpTier', SearchAttributeType.KEYWORD),
  SlaStatus: defineSearchAttributeKey('SlaStatus', SearchAttributeType.KEYWORD),
  RulesRevision: defineSearchAttributeKey('RulesRevision', SearchAttributeType.KEYWORD),
  CsOwner: defineSearchAttributeKey('CsOwner', SearchAttributeType.KEYWORD),
  HealthStatus: defineSearchAttributeKey('HealthStatus', SearchAttributeType.KEYWORD),
  RenewalDate: defineSearchAttributeKey('RenewalDate', SearchAttributeType.DATETIME),
  Arr: defineSearchAttributeKey('Arr', SearchAttributeType.DOUBLE),
  PlanningStep: defineSearchAttributeKey('PlanningStep', SearchAttributeType.KEYWORD),
} as const;

/** Temporal's own (never registered by Flywheel): the time a Schedule meant a workflow it started to run. */
export const TEMPORAL_SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

const CLI_TYPE_NAMES: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return Object.values(SA).flatMap((k) => ['--search-attribute', `${k.name}=${CLI_TYPE_NAMES[k.type]}`]);
}

/** Name -> CLI type name, for `temporal operator search-attribute create` on a real cluster. */
export function searchAttributeTable(): Record<string, string> {
  return Object.fromEntries(Object.values(SA).map((k) => [k.name, CLI_TYPE_NAMES[k.type]!]));
}

const INDEXED_VALUE_TYPES: Record<string, number> = {
  // temporal.api.enums.v1.IndexedValueType
  [SearchAttributeType.TEXT]: 1,
  [SearchAttributeType.KEYWORD]: 2,
  [SearchAttributeType.INT]: 3,
  [SearchAttributeType.DOUBLE]: 4,
  [SearchAttributeType.BOOL]: 5,
  [SearchAttributeType.DATETIME]: 6,
  [SearchAttributeType.KEYWORD_LIST]: 7,
};

/** The request body for OperatorService.AddSearchAttributes (servers that are not started with the flags). */
export function addSearchAttributesRequest(namespace: string) {
  return { namespace, searchAttributes: Object.fromEntries(Object.values(SA).map((k) => [k.name, INDEXED_VALUE_TYPES[k.type]!])) };
}
