/** Which Candescent token service a token, request or error belongs to: V1 (`/oauth`) or V2 (`/oauth2`). */
export type CandescentService = 'v1' | 'v2';
