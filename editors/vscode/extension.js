// The WF extension for VS Code: it registers the language (see
// package.json) and starts `wf lsp`, the WF language server, for .wf files.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('wf').get('path') || 'wf';
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
  client = new LanguageClient('wf', 'WF Language Server', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand('wf.restartServer', () => client.restart()),
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
