import path from 'node:path';
import ts from 'typescript';

// A PresizedMap must stay assignable to Map<K, V>. The test files are stripped of their types by
// the jest transform, so this compiles a fixture with the package's own compiler options.
describe('PresizedMap types', () => {
  test('a PresizedMap is a Map<K, V> under the package compiler options', () => {
    const configPath = path.resolve(__dirname, '../../tsconfig.json');
    const parsed = ts.getParsedCommandLineOfConfigFile(
      configPath,
      { noEmit: true },
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        },
      },
    );
    expect(parsed).toBeDefined();
    const options = { ...parsed!.options, rootDir: undefined, noEmit: true };
    const fixture = path.resolve(__dirname, 'types/map-assignable.ts');
    const program = ts.createProgram([fixture], options);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      const file = d.file ? path.basename(d.file.fileName) : '';
      return `${file}:${where ? where.line + 1 : 0} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
    expect(diagnostics).toEqual([]);
  }, 60000);
});
