/** The block the reference client prints, so scripts and docs written for it keep working. */
export function printBanner(host: string, port: number): void {
  console.info(`PG Tunnel listening on ${host}:${port} 🚀

Your connection is authenticated using your API key. Your database credentials are set automatically by the tunnel gateway.

==============================
hostname:  ${host}
port:      ${port}
username:  <anything>
password:  <none>
==============================
`);
}
