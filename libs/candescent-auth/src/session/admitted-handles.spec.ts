import { AdmittedHandles } from './admitted-handles';
import { hashHandle, newSessionHandle } from './session-handle';

describe('AdmittedHandles', () => {
  it('knows a handle only once it was admitted, with the id it was admitted under', () => {
    const handles = new AdmittedHandles();
    const handle = newSessionHandle();
    expect(handles.known(handle)).toBeUndefined();
    handles.admitted(handle, hashHandle(handle));
    expect(handles.known(handle)).toBe(hashHandle(handle));
    // Another handle, even one differing in a single character, is not known.
    expect(handles.known(`${handle.slice(0, -1)}${handle.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
  });

  it('forgets a handle as soon as it is refused', () => {
    const handles = new AdmittedHandles();
    const handle = newSessionHandle();
    handles.admitted(handle, hashHandle(handle));
    handles.refused(handle);
    expect(handles.known(handle)).toBeUndefined();
  });

  it('keeps at most its bound, dropping the handle admitted first', () => {
    const handles = new AdmittedHandles(2);
    const [first, second, third] = [newSessionHandle(), newSessionHandle(), newSessionHandle()];
    for (const handle of [first, second, third]) handles.admitted(handle, hashHandle(handle));
    expect(handles.known(first)).toBeUndefined();
    expect(handles.known(second)).toBe(hashHandle(second));
    expect(handles.known(third)).toBe(hashHandle(third));
  });
});
