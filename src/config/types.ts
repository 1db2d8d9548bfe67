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
  connections?: {
    crmWebhook?: { url: string; secretEnv?: string; timeoutMs?: number };
    ingest?: { secretEnv?: string; toleranceSeconds?: number };
  };
}

/** A loaded configuration together with where it came from. */
export interface LoadedConfig {
  file: string;
  /** Directory that relative paths in the config (e.g. the embedded ledger) are resolved against. */
  root: string;
  config: FlywheelConfig;
}
