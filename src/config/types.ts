export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface CalendarConfig {
  id: string;
  description?: string;
  timezone: string;
  hours: Partial<Record<Weekday, string[]>>;
  holidays?: (string | { date: string; name?: string })[];
}

export interface TeamConfig {
  id: string;
  name: string;
  function: 'marketing' | 'sales' | 'customer-success' | 'revops' | 'leadership';
  manager?: string;
  calendar: string;
}

export interface OutOfOffice {
  from: string;
  to: string;
  reason?: string;
}

export interface RepConfig {
  id: string;
  name: string;
  email: string;
  team: string;
  manager?: string;
  timezone: string;
  calendar?: string;
  weight?: number;
  capacity?: number;
  active?: boolean;
  outOfOffice?: OutOfOffice[];
}

export interface QueueConfig {
  id: string;
  description?: string;
  team: string;
  strategy?: 'weighted-round-robin' | 'pool';
  members?: string[];
  overflow?: string;
}

export interface FlywheelConfig {
  organisation: { name: string; timezone: string; currency?: string };
  calendars: CalendarConfig[];
  teams: TeamConfig[];
  reps: RepConfig[];
  queues?: QueueConfig[];
  rules?: { dir?: string; shadow?: { dir?: string; ref?: string } };
  server?: { host?: string; port?: number; bodyLimitBytes?: number };
  temporal?: { taskQueue?: string; devServer?: { port?: number; uiPort?: number; ip?: string } };
  ledger?: { embeddedDir?: string };
  /** `flywheel import`: fact path <- column header, per kind (src/import/records.ts). */
  import?: { accounts?: { columns?: Record<string, string> }; leads?: { columns?: Record<string, string> } };
  /** Reports published on a Schedule: the weekly hand-off SLA report (docs/sla-report.md). */
  reports?: { slaWeekly?: { schedule?: string; timezone?: string; reportsDir?: string; notify?: string[] } };
  connections?: {
    crmWebhook?: { url: string; secretEnv?: string; timeoutMs?: number };
    ingest?: { secretEnv?: string; toleranceSeconds?: number };
    hubspot?: HubSpotConfig;
    salesforce?: SalesforceConfig;
  };
}

/** A loaded configuration together with where it came from. */
export interface LoadedConfig {
  file: string;
  /** Directory that relative paths in the config (e.g. the embedded ledger) are resolved against. */
  root: string;
  config: FlywheelConfig;
}

/** Flywheel fact path (`email`, `employees`, `custom.segment`) <- the CRM's property or field name. */
export type FieldMap = Record<string, string>;

/** `connections.hubspot`: see the schema's descriptions and docs/crm.md. */
export interface HubSpotConfig {
  appId: number;
  portalId?: number;
  baseUrl?: string;
  clientSecretEnv?: string;
  accessTokenEnv?: string;
  signatureVersions?: ('v1' | 'v2' | 'v3')[];
  toleranceSeconds?: number;
  /** The webhook target URL as configured in HubSpot; signatures v2/v3 cover it (docs/crm.md). */
  publicUrl?: string;
  leadIdPrefix?: string;
  accountIdPrefix?: string;
  properties?: { contact?: FieldMap; company?: FieldMap; deal?: FieldMap };
  dealStages?: { won?: string[]; lost?: string[] };
  owners?: Record<string, string>;
  writeBack?: {
    enabled?: boolean;
    lifecycleStage?: string;
    leadStatus?: string;
    slaStatusProperty?: string;
    slaDeadlineProperty?: string;
    task?: { enabled?: boolean; subject?: string; priority?: 'LOW' | 'MEDIUM' | 'HIGH' };
  };
}

/** `connections.salesforce`: see the schema's descriptions and docs/crm.md. */
export interface SalesforceConfig {
  organizationId: string;
  loginUrl?: string;
  apiVersion?: string;
  auth?: 'client-credentials' | 'jwt-bearer';
  clientIdEnv?: string;
  clientSecretEnv?: string;
  usernameEnv?: string;
  privateKeyEnv?: string;
  outboundMessageTokenEnv?: string;
  leadIdPrefix?: string;
  accountIdPrefix?: string;
  fields?: { Lead?: FieldMap; Contact?: FieldMap; Account?: FieldMap; Opportunity?: FieldMap };
  opportunityStages?: { won?: string[]; lost?: string[] };
  owners?: Record<string, string>;
  changeDataCapture?: { enabled?: boolean; pubSubEndpoint?: string; topics?: string[]; insecure?: boolean; startFrom?: 'LATEST' | 'EARLIEST'; batchSize?: number };
  writeBack?: { enabled?: boolean; task?: { enabled?: boolean; subject?: string; priority?: 'High' | 'Normal' | 'Low' } };
}
