-- Rushes for DaVinci Resolve, in Lua (the robust route on Resolve Free): take a snapshot of the
-- project, ask the `rushes` CLI for the plan, apply it through the scripting API.
-- It mirrors resolve/snapshot.py and resolve/apply.py operation for operation; the frame
-- conventions are decided in resolve/frames.py and already baked into the plan's numbers.
local M = {}

local function list(t) return type(t) == 'table' and t or {} end

local function markers_of(obj)
  local out = {}
  for frame, m in pairs(list(obj:GetMarkers())) do
    out[#out + 1] = { frame = math.floor(tonumber(frame) + 0.5), color = m.color or '', name = m.name or '',
                      note = m.note or '', duration = tonumber(m.duration) or 1, custom_data = m.customData or '' }
  end
  table.sort(out, function(a, b) return a.frame < b.frame end)
  return out
end

local function keywords(text)
  local out = {}
  for word in tostring(text or ''):gmatch('[^,]+') do
    word = word:match('^%s*(.-)%s*$')
    if word ~= '' then out[#out + 1] = word end
  end
  return out
end

function M.snapshot(resolve)
  local project = resolve:GetProjectManager():GetCurrentProject()
  local pool = project:GetMediaPool()
  local snap = { snapshot_version = 1, product = resolve:GetProductName(), version = list(resolve:GetVersion()),
                 project = project:GetName(), project_id = project:GetUniqueId(), bins = {}, clips = {}, timelines = {} }
  local function walk(folder, path)
    for _, item in ipairs(list(folder:GetClipList())) do
      local props = list(item:GetClipProperty())
      local kind = ({ Timeline = 'timeline', Compound = 'compound' })[props['Type'] or ''] or 'clip'
      local bin = {}
      for i, name in ipairs(path) do bin[i] = name end
      snap.clips[#snap.clips + 1] = {
        id = item:GetUniqueId(), name = item:GetName(), bin = bin, file_path = props['File Path'] or '', kind = kind,
        color = item:GetClipColor() or '', keywords = keywords(item:GetMetadata('Keywords')),
        markers = markers_of(item), frames = tonumber(props['Frames']) or 0, fps = tonumber(props['FPS']) or 0 }
    end
    for _, sub in ipairs(list(folder:GetSubFolderList())) do
      local sub_path = {}
      for i, name in ipairs(path) do sub_path[i] = name end
      sub_path[#sub_path + 1] = sub:GetName()
      snap.bins[#snap.bins + 1] = sub_path
      walk(sub, sub_path)
    end
  end
  walk(pool:GetRootFolder(), {})
  for i = 1, (project:GetTimelineCount() or 0) do
    local tl = project:GetTimelineByIndex(i)
    local items = {}
    for track = 1, (tl:GetTrackCount('video') or 0) do
      for _, it in ipairs(list(tl:GetItemListInTrack('video', track))) do
        local mpi = it:GetMediaPoolItem()
        items[#items + 1] = { track = track, start = it:GetStart(), ['end'] = it:GetEnd(),
                              file_path = mpi and (mpi:GetClipProperty('File Path') or '') or '',
                              source_start = it:GetSourceStartFrame(), source_end = it:GetSourceEndFrame() }
      end
    end
    snap.timelines[#snap.timelines + 1] = { name = tl:GetName(), id = tl:GetUniqueId(), start_frame = tl:GetStartFrame(),
                                            start_timecode = tl:GetStartTimecode(), markers = markers_of(tl), items = items }
  end
  local rate = project:GetSetting('timelineFrameRate') or ''
  local df = project:GetSetting('timelineDropFrameTimecode')
  if (df == '1' or df == 1 or df == true) and not rate:find('DF') then rate = rate .. ' DF' end
  snap.timeline_rate = rate
  return snap
end

-- The applier ------------------------------------------------------------------------------
local Applier = {}
Applier.__index = Applier

M.MIN_VERSION = { 18, 5 }   -- recordFrame, trackIndex, SetStartTimecode (resolve/apply.py decides the same)

function M.applier(resolve)
  local v = list(resolve:GetVersion())
  local major, minor = tonumber(v[1]), tonumber(v[2])
  if major and minor and (major < M.MIN_VERSION[1] or (major == M.MIN_VERSION[1] and minor < M.MIN_VERSION[2])) then
    error(string.format('Rushes needs DaVinci Resolve %d.%d or later (timelines placed by recordFrame, '
                        .. 'SetStartTimecode); this is %s.%s', M.MIN_VERSION[1], M.MIN_VERSION[2], v[1], v[2]))
  end
  local project = resolve:GetProjectManager():GetCurrentProject()
  if not project then error('no project is open in Resolve: open one, then run the script again') end
  local pool = project:GetMediaPool()
  return setmetatable({ project = project, pool = pool, root = pool:GetRootFolder() }, Applier)
end

function Applier:folder(path, create)
  local folder = self.root
  for _, name in ipairs(path) do
    local found
    for _, sub in ipairs(list(folder:GetSubFolderList())) do
      if sub:GetName() == name then found = sub; break end
    end
    if not found then
      if not create then return nil end
      found = self.pool:AddSubFolder(folder, name)
      if not found then return nil end
    end
    folder = found
  end
  return folder
end

function Applier:clips()
  if not self._clips then
    self._clips = {}
    local stack = { self.root }
    while #stack > 0 do
      local f = table.remove(stack)
      for _, item in ipairs(list(f:GetClipList())) do
        local path = item:GetClipProperty('File Path')
        if path and path ~= '' and not self._clips[path] then self._clips[path] = item end
      end
      for _, sub in ipairs(list(f:GetSubFolderList())) do stack[#stack + 1] = sub end
    end
  end
  return self._clips
end

function Applier:timeline(name)
  for i = 1, (self.project:GetTimelineCount() or 0) do
    local tl = self.project:GetTimelineByIndex(i)
    if tl and tl:GetName() == name then return tl end
  end
end

function Applier:target(op)
  if op.timeline and op.timeline ~= '' then return self:timeline(op.timeline) end
  return self:clips()[op.file]
end

function Applier:clip_infos(clips)
  local infos = {}
  for i, c in ipairs(clips) do
    local item = self:clips()[c.file]
    if not item then return nil end
    infos[i] = { mediaPoolItem = item, startFrame = c.start_frame, endFrame = c.end_frame,
                 recordFrame = c.record_frame, trackIndex = c.track }
  end
  return infos
end

local function count(t) return type(t) == 'table' and #t or 0 end

function Applier:run(op)
  local kind = op.op
  if kind == 'set_project_setting' then return self.project:SetSetting(op.key, op.value) == true end
  if kind == 'make_bin' then return self:folder(op.bin, true) ~= nil end
  if kind == 'import_media' then
    -- ImportMedia always lands in the current folder: select it first.
    local folder = self:folder(op.bin, true)
    if not folder or not self.pool:SetCurrentFolder(folder) then return false end
    local items = list(self.pool:ImportMedia({ op.file }))
    for _, item in ipairs(items) do self:clips()[op.file] = item end
    return #items > 0
  end
  if kind == 'move_clip' then
    local item, folder = self:clips()[op.file], self:folder(op.bin, true)
    return item ~= nil and folder ~= nil and self.pool:MoveClips({ item }, folder) == true
  end
  if kind == 'set_clip_color' then
    local item = self:clips()[op.file]
    if not item then return false end
    if op.color == '' then return item:ClearClipColor() == true end
    return item:SetClipColor(op.color) == true
  end
  if kind == 'set_metadata' then
    local item = self:clips()[op.file]
    return item ~= nil and item:SetMetadata(op.key, op.value) == true
  end
  if kind == 'add_marker' then
    local obj = self:target(op)
    return obj ~= nil and obj:AddMarker(op.frame, op.color, op.name, op.note, op.duration, op.custom_data) == true
  end
  if kind == 'update_marker_data' then
    local obj = self:target(op)
    return obj ~= nil and obj:UpdateMarkerCustomData(op.frame, op.custom_data) == true
  end
  if kind == 'create_timeline' then
    local folder, infos = self:folder(op.bin, true), self:clip_infos(op.clips)
    if not folder or not infos or not self.pool:SetCurrentFolder(folder) then return false end
    local tl = self.pool:CreateEmptyTimeline(op.name)
    if not tl or not self.project:SetCurrentTimeline(tl) or not tl:SetStartTimecode(op.start_timecode) then return false end
    return count(self.pool:AppendToTimeline(infos)) == #infos
  end
  if kind == 'append_to_timeline' then
    local tl, infos = self:timeline(op.name), self:clip_infos(op.clips)
    if not tl or not infos or not self.project:SetCurrentTimeline(tl) then return false end
    return count(self.pool:AppendToTimeline(infos)) == #infos
  end
  if kind == 'create_compound_clip' then
    local tl = self:timeline(op.timeline)
    if not tl then return false end
    local items = {}
    for _, it in ipairs(list(tl:GetItemListInTrack('video', 1))) do
      if op.start <= it:GetStart() and it:GetEnd() <= op['end'] then items[#items + 1] = it end
    end
    return #items > 0 and tl:CreateCompoundClip(items, { name = op.name }) ~= nil
  end
  if kind == 'import_timeline' then
    local folder = self:folder(op.bin, true)
    if not folder or not self.pool:SetCurrentFolder(folder) then return false end
    return self.pool:ImportTimelineFromFile(op.path, { timelineName = op.name, importSourceClips = true }) ~= nil
  end
  return false
end

function M.apply(resolve, plan)
  local made, applier = pcall(M.applier, resolve)
  if not made then return 0, { tostring(applier) } end
  local done, failed = 0, {}
  for _, op in ipairs(list(plan.ops)) do
    local ok, result = pcall(applier.run, applier, op)
    if ok and result then done = done + 1 else failed[#failed + 1] = op.op .. (ok and '' or (': ' .. tostring(result))) end
  end
  if done > 0 then resolve:GetProjectManager():SaveProject() end   -- what we changed survives a crash
  return done, failed
end

-- Talking to the daemon through the `rushes` CLI ---------------------------------------------
local windows = package.config:sub(1, 1) == '\\'

local function quote(s)
  if windows then return '"' .. s:gsub('"', '\\"') .. '"' end
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- os.tmpname() names a file in the drive's root on Windows: put it under %TEMP% there.
local function tmpname()
  local name = os.tmpname()
  if windows then return (os.getenv('TEMP') or os.getenv('TMP') or '.') .. name end
  return name
end

function M.run_cli(config, args)
  local parts = {}
  for _, p in ipairs(config.command) do parts[#parts + 1] = quote(p) end
  if config.address and config.address ~= '' then parts[#parts + 1] = '--address ' .. quote(config.address) end
  for _, a in ipairs(args) do parts[#parts + 1] = quote(a) end
  local err = tmpname()
  local command = table.concat(parts, ' ') .. ' 2>' .. quote(err)
  -- cmd.exe strips the first and last quote of a command line: wrap it once more there.
  if windows then command = '"' .. command .. '"' end
  local pipe = io.popen(command)
  local out = pipe:read('*a')
  pipe:close()
  local f = io.open(err, 'r')
  local errtext = f and f:read('*a') or ''
  if f then f:close() end
  os.remove(err)
  return out, errtext
end

function M.write_snapshot(json, resolve)
  local path = tmpname()
  local f = assert(io.open(path, 'w'))
  f:write(json.encode(M.snapshot(resolve)))
  f:close()
  return path
end

-- One menu entry: snapshot, plan (or learn), apply; a status line either way.
function M.menu(action, resolve, support)
  local json = dofile(support .. '/rushes_json.lua')
  local config = dofile(support .. '/config.lua')
  local snap = M.write_snapshot(json, resolve)
  local args = action == 'learn' and { 'resolve', 'learn', '--snapshot', snap, '--json' }
      or { 'resolve', 'plan', '--snapshot', snap, '--json', '--only', action }
  local out, err = M.run_cli(config, args)
  os.remove(snap)
  local ok, result = pcall(json.decode, out)
  if not ok or type(result) ~= 'table' then
    local why = err:match('[^\n]*daemon is not running[^\n]*') or err:match('[^\n]+') or 'no answer from rushes'
    print('Rushes: ' .. why)
    return false
  end
  if action == 'learn' then
    print(string.format('Rushes: sent %d move(s) to the daemon; run "Rushes - Sync bins" to see them', #list(result.moves)))
    return true
  end
  local done, failed = M.apply(resolve, result)
  for _, note in ipairs(list(result.notes)) do print('Rushes: ' .. note) end
  print(string.format('Rushes: %d change(s) applied, %d failed', done, #failed))
  for _, f in ipairs(failed) do print('  failed: ' .. f) end
  return #failed == 0
end

return M
