/** Uploading a file as the request body, with the upload's progress (usage imports, vendor invoices). */
import { ApiError, Problem, tokenStore } from './api';

/** Uploads go to the API's prefix like every other call (api.ts). */
const API = '/api/v1';

export interface UploadProgress {
  sent: number;
  total: number;
}

/**
 * POSTs `file` as the body with its content type (XMLHttpRequest: fetch reports no upload
 * progress); `onProgress` follows the bytes sent. Resolves with the JSON answer, rejects with an ApiError.
 */
export function uploadFile<T>(path: string, file: Blob, contentType: string, onProgress: (p: UploadProgress) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API}${path}`);
    xhr.setRequestHeader('Content-Type', contentType);
    xhr.setRequestHeader('Accept', 'application/json');
    const token = tokenStore.get();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => onProgress({ sent: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onerror = () =>
      reject(
        new ApiError({
          type: 'about:blank',
          status: 0,
          title: 'The API cannot be reached',
          detail: 'Check your connection and try again.',
        }),
      );
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else
        reject(
          new ApiError({
            type: 'about:blank',
            title: `HTTP ${xhr.status}`,
            ...((body as Problem | null) ?? {}),
            status: xhr.status,
          } as Problem),
        );
    };
    xhr.send(file);
  });
}

/** A file's content type for the API: CSV unless it looks like JSON lines. */
export function usageContentType(file: File): string {
  return /\.(jsonl|ndjson)$/i.test(file.name) ? 'application/x-ndjson' : 'text/csv';
}
