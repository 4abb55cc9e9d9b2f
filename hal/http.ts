/**
 * An HTTP client: send bytes with headers, receive status and bytes.
 * Failures reject with a HalError whose kind says what happened:
 * `timeout` (no complete answer in time), `refused` (nothing listening),
 * `reset` (connection dropped mid-exchange), `unreachable` (no route / DNS),
 * `too-large` (answer over `maxResponseBytes`), `bad-status` (a non-2xx answer;
 * the error carries `status`).
 */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Absolute URL: scheme, host, port and path. */
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Milliseconds for the whole exchange. */
  timeout: number;
  /** Answers larger than this are rejected as `too-large`. Default 64 KiB. */
  maxResponseBytes?: number;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
}

export const defaultMaxResponseBytes = 64 * 1024;
