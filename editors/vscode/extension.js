// The WF extension for VS Code: it registers the language (see
// package.json), starts `wf lsp`, the WF language server, for .wf files,
// and adds commands that run wf in a terminal or a task: check the
// workspace (its problems land in the Problems panel through the `$wf`
// problem matcher), run a workflow with an event (also the code lenses'
// command), open the REPL.
'use strict';

const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

// wfPath is the wf command, read from the settings each time it is used,
// so a change applies without reloading the window.
function wfPath() {
  return vscode.workspace.getConfiguration('wf').get('path') || 'wf';
}

function newClient() {
  const command = wfPath();
  const serverOptions = {
    run: { command, args: ['lsp'], transport: TransportKind.stdio },
    debug: { command, args: ['lsp'], transport: TransportKind.stdio },
  };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'wf' },
      { scheme: 'untitled', language: 'wf' },
    ],
    // The files of a folder are checked together: tell the server when one
    // that is not open changes on disk.
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.wf'),
    },
  };
  return new LanguageClient('wf', 'WF Language Server', serverOptions, clientOptions);
}

// restart stops the server and starts it again with the current wf.path.
async function restart() {
  if (client) {
    await client.stop();
  }
  client = newClient();
  await client.start();
}

// folderOf returns the workspace folder of a file, or the first one.
function folderOf(file) {
  const uri = file ? vscode.Uri.file(file) : undefined;
  return (uri && vscode.workspace.getWorkspaceFolder(uri)) || (vscode.workspace.workspaceFolders || [])[0];
}

// inTerminal runs wf with args in a new terminal, in the workspace folder
// of file (or the file's own folder outside a workspace).
function inTerminal(name, args, file) {
  const folder = folderOf(file);
  const cwd = folder ? folder.uri.fsPath : file ? path.dirname(file) : undefined;
  const term = vscode.window.createTerminal({ name, cwd, shellPath: wfPath(), shellArgs: args });
  term.show();
  return term;
}

// activeWfFile returns the path of the .wf file being edited, if any.
function activeWfFile() {
  const ed = vscode.window.activeTextEditor;
  if (ed && ed.document.languageId === 'wf' && ed.document.uri.scheme === 'file') {
    return ed.document.uri.fsPath;
  }
  return undefined;
}

// check runs `wf check .` as a task whose problems go to the Problems panel.
function checkTask(folder) {
  const exec = new vscode.ShellExecution(wfPath(), ['check', '.'], {
    cwd: folder.uri.fsPath,
    env: { NO_COLOR: '1' },
  });
  return new vscode.Task({ type: 'wf', task: 'check' }, folder, 'check', 'wf', exec, ['$wf']);
}

async function check() {
  const folder = folderOf(activeWfFile());
  if (!folder) {
    vscode.window.showErrorMessage('WF: open a folder to check its .wf files.');
    return;
  }
  await vscode.tasks.executeTask(checkTask(folder));
}

// runWorkflow runs `wf run FILE --workflow NAME [--event EVENT]`. The code
// lenses pass all three (the event only when they found a sample); from
// the command palette it asks for what is missing.
async function runWorkflow(file, workflow, event) {
  file = file || activeWfFile();
  if (!file) {
    vscode.window.showErrorMessage('WF: open a .wf file to run one of its workflows.');
    return;
  }
  if (!workflow) {
    const symbols = (await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', vscode.Uri.file(file))) || [];
    const names = symbols.filter((s) => s.detail === 'workflow').map((s) => s.name);
    workflow = names.length === 1 ? names[0] : await vscode.window.showQuickPick(names, { placeHolder: 'Workflow to run' });
    if (!workflow) {
      return;
    }
  }
  const args = ['run', file, '--workflow', workflow];
  if (event === undefined) {
    const picked = await vscode.window.showOpenDialog({
      title: `Event to run ${workflow} with (cancel to run it without one)`,
      defaultUri: vscode.Uri.file(path.dirname(file)),
      filters: { 'Persona event': ['json'] },
    });
    event = picked && picked.length > 0 ? picked[0].fsPath : '';
  }
  if (event) {
    args.push('--event', event);
  }
  inTerminal(`wf run ${workflow}`, args, file);
}

// runTest runs `wf test FILE --run PATTERN`: the lens above a test passes
// the test file, the test's name and a pattern that selects it.
function runTest(file, name, pattern) {
  file = file || activeWfFile();
  if (!file) {
    vscode.window.showErrorMessage('WF: open a _test.wf file to run its tests.');
    return;
  }
  const args = ['test', file];
  if (pattern) {
    args.push('--run', pattern);
  }
  inTerminal(name ? `wf test ${name}` : 'wf test', args, file);
}

function openRepl() {
  const file = activeWfFile();
  inTerminal('wf repl', file ? ['repl', file] : ['repl'], file);
}

function activate(context) {
  client = newClient();
  context.subscriptions.push(
    vscode.commands.registerCommand('wf.restartServer', restart),
    vscode.commands.registerCommand('wf.check', check),
    vscode.commands.registerCommand('wf.runWorkflow', runWorkflow),
    vscode.commands.registerCommand('wf.runTest', runTest),
    vscode.commands.registerCommand('wf.openRepl', openRepl),
    vscode.tasks.registerTaskProvider('wf', {
      provideTasks: () => (vscode.workspace.workspaceFolders || []).map(checkTask),
      resolveTask: (task) => (task.definition.task === 'check' && task.scope && task.scope.uri ? checkTask(task.scope) : undefined),
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('wf.path')) {
        restart();
      }
    }),
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
