import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { CandescentInvalidRequestError } from '@candescent/auth';

/** Deepest nesting a request body may have; the sample's bodies are flat objects. */
export const MAX_BODY_DEPTH = 32;

/**
 * Refuses request bodies nested deeper than {@link MAX_BODY_DEPTH} with a 400, before the
 * ValidationPipe walks them: class-transformer and the pipe recurse, and a few thousand levels
 * (30 kB of JSON) overflow the stack and answered 500. The walk here is iterative and stops at
 * the first value past the limit.
 */
@Injectable()
export class JsonDepthPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' && depthExceeds(value, MAX_BODY_DEPTH)) {
      throw new CandescentInvalidRequestError(
        `The request body is nested more than ${MAX_BODY_DEPTH} levels deep; send a flat JSON object of strings, such as the username and password of a login.`,
        { errorType: 'USER_ERROR', errorCode: 'BODY_TOO_DEEP' },
      );
    }
    return value;
  }
}

/** Whether any value inside `root` sits deeper than `limit` objects or arrays. */
export function depthExceeds(root: unknown, limit: number): boolean {
  const stack: Array<[value: unknown, depth: number]> = [[root, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [value, depth] = next;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}
