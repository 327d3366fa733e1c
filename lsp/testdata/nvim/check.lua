-- Drives the WF language server from headless Neovim: starts it with the
-- snippet from docs/editors.md for this Neovim version, opens a .wf file,
-- waits for diagnostics, asks for completion and hover, and writes what it
-- got as JSON to $WF_OUT. Inputs come from the environment:
--   WF_FILE    the .wf file to open
--   WF_OUT     where to write the result
--   WF_MODERN  the docs' snippet for Neovim 0.8+ (filetype and autocmd)
--   WF_LEGACY  the docs' snippet for Neovim 0.7 (start the client by hand)
--   WF_LUA     more Lua files from the docs, only compiled (lspconfig)
--   WF_LINE, WF_COL  the completion position (0-based, UTF-16)
-- The server binary is `wf` on PATH, as the snippets expect.
local out = { status = "started", syntax_errors = {} }

local function finish(status)
  out.status = status
  local f = assert(io.open(os.getenv("WF_OUT"), "w"))
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd("qall!")
end

-- Never hang: give up after 15 s whatever happens.
vim.defer_fn(function() finish("timeout") end, 15000)

local ok, err = pcall(function()
  for _, path in ipairs({ os.getenv("WF_MODERN"), os.getenv("WF_LEGACY"), os.getenv("WF_LUA") }) do
    local _, e = loadfile(path)
    if e then table.insert(out.syntax_errors, e) end
  end
  out.modern = vim.lsp.start ~= nil
  if out.modern then
    dofile(os.getenv("WF_MODERN"))
    vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("WF_FILE")))
  else
    vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("WF_FILE")))
    dofile(os.getenv("WF_LEGACY"))
  end

  out.got_diagnostics = vim.wait(10000, function() return #vim.diagnostic.get(0) > 0 end, 20)
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    local code = d.code
    if code == nil and d.user_data and d.user_data.lsp then code = d.user_data.lsp.code end
    table.insert(out.diagnostics, { message = d.message, lnum = d.lnum, col = d.col, severity = d.severity, code = code })
  end

  local pos = { line = tonumber(os.getenv("WF_LINE")), character = tonumber(os.getenv("WF_COL")) }
  local params = { textDocument = { uri = vim.uri_from_bufnr(0) }, position = pos }
  out.completion = {}
  local resp = vim.lsp.buf_request_sync(0, "textDocument/completion", params, 10000) or {}
  for _, r in pairs(resp) do
    if r.error then out.completion_error = r.error.message end
    local items = r.result and (r.result.items or r.result) or {}
    for _, it in ipairs(items) do table.insert(out.completion, it.label) end
  end

  local hover = vim.lsp.buf_request_sync(0, "textDocument/hover",
    { textDocument = params.textDocument, position = { line = 3, character = 14 } }, 10000) or {}
  for _, r in pairs(hover) do
    if r.result and r.result.contents then out.hover = r.result.contents.value end
  end
end)
if not ok then out.error = tostring(err) end
finish(ok and "ok" or "error")
