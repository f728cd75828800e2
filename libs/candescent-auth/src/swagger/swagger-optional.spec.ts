import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('@nestjs/swagger stays optional', () => {
  it('loads the library root without @nestjs/swagger installed', () => {
    let loaded: Record<string, unknown> = {};
    jest.isolateModules(() => {
      jest.doMock('@nestjs/swagger', () => {
        throw new Error('@nestjs/swagger was loaded by the library root');
      });
      loaded = jest.requireActual<Record<string, unknown>>('../index');
    });
    jest.dontMock('@nestjs/swagger');
    expect(typeof loaded.CandescentAuthModule).toBe('function');
  });

  it('imports @nestjs/swagger only under swagger/, and nothing outside imports swagger/', () => {
    const offenders = sourceFiles(SRC)
      .filter((file) => !relative(SRC, file).startsWith('swagger/'))
      .filter((file) =>
        /from '@nestjs\/swagger'|require\('@nestjs\/swagger'\)|from '\.{1,2}\/(\.\.\/)*swagger/.test(
          readFileSync(file, 'utf8'),
        ),
      )
      .map((file) => relative(SRC, file));
    expect(offenders).toEqual([]);
  });

  it('loads the swagger entry point with it', () => {
    jest.isolateModules(() => {
      const swagger = jest.requireActual<Record<string, unknown>>('./index');
      expect(typeof swagger.ApiCandescentAuth).toBe('function');
    });
  });
});
