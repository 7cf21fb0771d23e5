-- Rushes menu entry (Workspace > Scripts > Utility), installed by `rushes resolve install`.
local support = "@@RUSHES_SUPPORT@@"
local rushes = dofile(support .. "/rushes_resolve.lua")
local app = resolve or (Resolve and Resolve()) or (bmd and bmd.scriptapp("Resolve"))
if not app then
  print("Rushes: run this from Resolve's Workspace > Scripts menu")
  return
end
rushes.menu("search", app, support)
