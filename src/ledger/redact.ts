const SECRET_PARAM = /pass|secret|token|key/i;

/** A connection string fit for logs and `flywheel ledger status`: passwords and key-like parameters become ***. */
export function redactConnectionString(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const k of [...u.searchParams.keys()]) if (SECRET_PARAM.test(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    // Not a URL (libpq key=value form): redact by pattern, and never echo anything that looks like userinfo.
    return url.replace(/(\b\w*(?:pass|secret|token|key)\w*\s*=\s*)('[^']*'|\S+)/gi, '$1***').replace(/\/\/[^/@\s]*@/, '//***@');
  }
}
