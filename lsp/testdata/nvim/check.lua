-- Drives the WF language server from headless Neovim: starts it with the
-- snippet from docs/editors.md for this Neovim version, opens a .wf file,
-- waits for diagnostics, sends the requests it is given, and writes what it
-- got as JSON to $WF_OUT. Inputs come from the environment:
--   WF_FILE    the .wf file to open
--   WF_OUT     where to write the result
--   WF_MODERN  the docs' snippet for Neovim 0.8+ (filetype and autocmd)
--   WF_LEGACY  the docs' snippet for Neovim 0.7 (start the client by hand)
--   WF_LUA     more Lua files from the docs, only compiled (lspconfig)
--   WF_COMMANDS  the docs' handler for the code lens command, loaded
--   WF_REQUESTS  a JSON array of the requests to send once diagnostics came
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
  for _, path in ipairs({ os.getenv("WF_MODERN"), os.getenv("WF_LEGACY"), os.getenv("WF_LUA"), os.getenv("WF_COMMANDS") }) do
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

  dofile(os.getenv("WF_COMMANDS"))
  out.command_registered = vim.lsp.commands["wf.runWorkflow"] ~= nil

  out.got_diagnostics = vim.wait(10000, function() return #vim.diagnostic.get(0) > 0 end, 20)
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    local code = d.code
    if code == nil and d.user_data and d.user_data.lsp then code = d.user_data.lsp.code end
    table.insert(out.diagnostics, { message = d.message, lnum = d.lnum, col = d.col, severity = d.severity, code = code })
  end

  -- The requests to send, from $WF_REQUESTS: a JSON array of
  -- {name, method, params}; a params.textDocument gets the buffer's URI.
  -- Each answer (or error) is kept under its name.
  local f = assert(io.open(os.getenv("WF_REQUESTS")))
  local requests = vim.fn.json_decode(f:read("*a"))
  f:close()
  out.results = {}
  for _, req in ipairs(requests) do
    local params = req.params
    if params.textDocument then params.textDocument.uri = vim.uri_from_bufnr(0) end
    local resp = vim.lsp.buf_request_sync(0, req.method, params, 10000) or {}
    local got = { answered = false }
    for _, r in pairs(resp) do
      got.answered = true
      if r.error then got.error = r.error.message else got.result = r.result end
    end
    out.results[req.name] = got
  end
end)
if not ok then out.error = tostring(err) end
finish(ok and "ok" or "error")
