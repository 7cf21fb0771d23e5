-- A small Lua fake of Resolve's scripting API (the calls the Rushes Lua scripts make), with the
-- same refusals as tests/fake_resolve.py and API-FACTS.md: a marker on an occupied frame or with
-- an unknown colour, an unknown clip colour, a duplicate timeline name, overlapping appends;
-- ImportMedia lands in the current folder; GetMarkers keys are frame numbers.
local F = {}
local ids = 0
local function uid(p) ids = ids + 1; return string.format('%s-%06d', p, ids) end
local function set(list) local s = {} for _, v in ipairs(list) do s[v] = true end return s end
local CLIP_COLORS = set({ 'Orange', 'Apricot', 'Yellow', 'Lime', 'Olive', 'Green', 'Teal', 'Navy', 'Blue', 'Purple',
                          'Violet', 'Pink', 'Tan', 'Beige', 'Brown', 'Chocolate' })
local MARKER_COLORS = set({ 'Blue', 'Cyan', 'Green', 'Yellow', 'Red', 'Pink', 'Purple', 'Fuchsia', 'Rose', 'Lavender',
                            'Sky', 'Mint', 'Lemon', 'Sand', 'Cocoa', 'Cream' })

local function class() local c = {}; c.__index = c; return c end

-- rates and timecode (resolve/frames.py decides; this mirrors it for the fake's timelines)
local function parse_rate(text)
  local df = text:find('DF') ~= nil
  local n, d = text:match('^(%d+)/(%d+)$')        -- "30000/1001", as Rushes carries rates
  local v = n and tonumber(n) / tonumber(d) or tonumber((text:gsub('%s*DF', '')))
  local num, den = v, 1
  for _, known in ipairs({ { 24000, 1001 }, { 30000, 1001 }, { 60000, 1001 } }) do
    if math.abs(known[1] / known[2] - v) < 0.01 then num, den = known[1], known[2] end
  end
  return { num = num, den = den, df = df and den == 1001 and (num == 30000 or num == 60000),
           nominal = math.floor(num / den + 0.5) }
end
local function tc_to_frame(tc, rate)
  local h, m, s, f = tc:match('(%d+):(%d+):(%d+)[:;.](%d+)')
  h, m, s, f = tonumber(h), tonumber(m), tonumber(s), tonumber(f)
  local minutes = 60 * h + m
  local frames = (3600 * h + 60 * m + s) * rate.nominal + f
  local drop = rate.df and 2 * math.floor(rate.nominal / 30) or 0
  return frames - drop * (minutes - math.floor(minutes / 10))
end
local function frame_to_tc(frame, rate)
  local nominal, drop = rate.nominal, rate.df and 2 * math.floor(rate.nominal / 30) or 0
  if drop > 0 then
    local per10, per1 = nominal * 600 - drop * 9, nominal * 60 - drop
    local tens, rest = math.floor(frame / per10), frame % per10
    local extra = rest < drop and 0 or drop * math.floor((rest - drop) / per1)
    frame = frame + drop * 9 * tens + extra
  end
  local secs = math.floor(frame / nominal)
  return string.format('%02d:%02d:%02d%s%02d', math.floor(secs / 3600), math.floor(secs / 60) % 60, secs % 60,
                       drop > 0 and ';' or ':', frame % nominal)
end

local Markers = {}
function Markers.install(c)
  function c:AddMarker(frame, color, name, note, duration, custom)
    self._markers = self._markers or {}
    if not MARKER_COLORS[color] or self._markers[frame] then return false end
    self._markers[frame] = { color = color, name = name, note = note, duration = duration, customData = custom or '' }
    return true
  end
  function c:GetMarkers()
    local out = {}
    for k, v in pairs(self._markers or {}) do
      out[k] = { color = v.color, name = v.name, note = v.note, duration = v.duration, customData = v.customData }
    end
    return out
  end
  function c:UpdateMarkerCustomData(frame, custom)
    local m = (self._markers or {})[frame]
    if not m then return false end
    m.customData = custom
    return true
  end
end

local Item = class(); Markers.install(Item)
function Item:GetName() return self._name end
function Item:GetUniqueId() return self._id end
function Item:GetClipColor() return self._color end
function Item:SetClipColor(c) if not CLIP_COLORS[c] then return false end self._color = c return true end
function Item:ClearClipColor() self._color = '' return true end
function Item:GetMetadata(k) if k then return self._meta[k] or '' end return self._meta end
function Item:SetMetadata(k, v) if type(v) ~= 'string' then return false end self._meta[k] = v return true end
function Item:GetClipProperty(key)
  local p = { ['Clip Name'] = self._name, ['File Path'] = '', Type = self._type }
  if self._media then
    local m = self._media
    p['File Path'], p['Frames'], p['FPS'] = m.path, tostring(m.frames), m.rate.num / m.rate.den
    p['Start'], p['End'] = '0', tostring(m.frames - 1)
    local start = tc_to_frame(m.start_tc, m.rate)
    p['Start TC'], p['End TC'] = frame_to_tc(start, m.rate), frame_to_tc(start + m.frames, m.rate)
  end
  if key then return p[key] or '' end
  return p
end

local TItem = class()
function TItem:GetStart() return self._start end
function TItem:GetEnd() return self._end end
function TItem:GetSourceStartFrame() return self._src0 end
function TItem:GetSourceEndFrame() return self._src1 end
function TItem:GetMediaPoolItem() return self._clip end

local Timeline = class(); Markers.install(Timeline)
function Timeline:GetName() return self._name end
function Timeline:GetUniqueId() return self._id end
function Timeline:GetStartFrame() return tc_to_frame(self._start_tc, self._rate) end
function Timeline:GetStartTimecode() return frame_to_tc(self:GetStartFrame(), self._rate) end
function Timeline:SetStartTimecode(tc)
  local new = tc_to_frame(tc, self._rate)
  local shift = new - self:GetStartFrame()
  self._start_tc = frame_to_tc(new, self._rate)
  for _, it in ipairs(self._video) do it._start, it._end = it._start + shift, it._end + shift end
  return true
end
function Timeline:GetTrackCount(kind) return kind == 'video' and 1 or 0 end
function Timeline:GetItemListInTrack(kind, i)
  if kind ~= 'video' or i ~= 1 then return nil end
  local out = {}
  for k, v in ipairs(self._video) do out[k] = v end
  table.sort(out, function(a, b) return a._start < b._start end)
  return out
end

function Timeline:CreateCompoundClip(items, info)
  if type(items) ~= 'table' or #items == 0 then return nil end
  local doomed, lo, hi = {}, math.huge, -math.huge
  for _, it in ipairs(items) do
    doomed[it] = true
    lo, hi = math.min(lo, it._start), math.max(hi, it._end)
  end
  local keep = {}
  for _, it in ipairs(self._video) do if not doomed[it] then keep[#keep + 1] = it end end
  local name = (info and info.name) or 'Compound Clip'
  local clip = setmetatable({ _name = name, _id = uid('mpi'), _color = '', _meta = {}, _type = 'Compound' }, Item)
  local pool = self._pool
  pool._current._clips[#pool._current._clips + 1] = clip
  local compound = setmetatable({ _clip = clip, _start = lo, _end = hi, _src0 = 0, _src1 = hi - lo }, TItem)
  keep[#keep + 1] = compound
  self._video = keep
  return compound
end

local Folder = class()
function Folder:GetName() return self._name end
function Folder:GetClipList() local o = {} for i, v in ipairs(self._clips) do o[i] = v end return o end
function Folder:GetSubFolderList() local o = {} for i, v in ipairs(self._subs) do o[i] = v end return o end
local function folder(name) return setmetatable({ _name = name, _clips = {}, _subs = {} }, Folder) end

local Pool = class()
function Pool:GetRootFolder() return self._root end
function Pool:SetCurrentFolder(f) if getmetatable(f) ~= Folder then return false end self._current = f return true end
function Pool:AddSubFolder(parent, name)
  local f = folder(name)
  parent._subs[#parent._subs + 1] = f
  return f
end
function Pool:_folder_of(item)
  local stack = { self._root }
  while #stack > 0 do
    local f = table.remove(stack)
    for i, c in ipairs(f._clips) do if c == item then return f, i end end
    for _, s in ipairs(f._subs) do stack[#stack + 1] = s end
  end
end
function Pool:MoveClips(items, target)
  for _, it in ipairs(items) do if not self:_folder_of(it) then return false end end
  for _, it in ipairs(items) do
    local f, i = self:_folder_of(it)
    table.remove(f._clips, i)
    target._clips[#target._clips + 1] = it
  end
  return true
end
function Pool:ImportMedia(paths)
  local out = {}
  for _, p in ipairs(paths) do
    local m = self._app._media[p]
    if m then
      local it = setmetatable({ _name = p:match('[^/\\]+$'), _id = uid('mpi'), _media = m, _color = '', _meta = {},
                                _type = 'Video + Audio' }, Item)
      self._current._clips[#self._current._clips + 1] = it    -- always the current folder
      out[#out + 1] = it
    end
  end
  return out
end
function Pool:CreateEmptyTimeline(name)
  local project = self._project
  for _, t in ipairs(project._timelines) do if t._name == name then return nil end end   -- duplicate name
  local tl = setmetatable({ _name = name, _id = uid('timeline'), _rate = project:_rate(), _start_tc = '01:00:00:00',
                            _video = {}, _pool = self }, Timeline)
  project._timelines[#project._timelines + 1] = tl
  project._current_timeline = tl
  self._current._clips[#self._current._clips + 1] = setmetatable({ _name = name, _id = uid('mpi'), _color = '',
                                                                   _meta = {}, _type = 'Timeline' }, Item)
  return tl
end
function Pool:AppendToTimeline(infos)
  local tl, out = self._project._current_timeline, {}
  if not tl then return out end
  for _, info in ipairs(infos) do
    local clip = info.mediaPoolItem
    local m = clip._media
    local s0, s1 = info.startFrame or 0, info.endFrame or m.frames            -- endFrame exclusive
    local length = math.floor((s1 - s0) * (tl._rate.num / tl._rate.den) / (m.rate.num / m.rate.den) + 1e-9)
    local start = info.recordFrame
    if not start then
      start = tl:GetStartFrame()
      for _, it in ipairs(tl._video) do if it._end > start then start = it._end end end
    end
    local clash = false
    for _, it in ipairs(tl._video) do if it._start < start + length and start < it._end then clash = true end end
    if not clash then                                   -- overlapping: the earlier item wins
      local it = setmetatable({ _clip = clip, _start = start, _end = start + length, _src0 = s0, _src1 = s1 }, TItem)
      tl._video[#tl._video + 1] = it
      out[#out + 1] = it
    end
  end
  return out
end

local Project = class()
function Project:GetName() return 'Untitled Project' end
function Project:GetUniqueId() return self._id end
function Project:GetMediaPool() return self._pool end
function Project:GetTimelineCount() return #self._timelines end
function Project:GetTimelineByIndex(i) return self._timelines[i] end
function Project:SetCurrentTimeline(tl)
  for _, t in ipairs(self._timelines) do if t == tl then self._current_timeline = tl return true end end
  return false
end
function Project:GetSetting(k) return self._settings[k] or '' end
function Project:SetSetting(k, v)
  if k == 'timelineFrameRate' then
    self._settings.timelineFrameRate = (v:gsub('%s*DF', ''))
    self._settings.timelineDropFrameTimecode = v:find('DF') and '1' or '0'
    return true
  end
  return false
end
function Project:_rate()
  local r = parse_rate(self._settings.timelineFrameRate .. (self._settings.timelineDropFrameTimecode == '1' and ' DF' or ''))
  return r
end

function F.new(studio)
  local app = { _media = {} }
  local project = setmetatable({ _id = uid('project'), _timelines = {}, _settings = { timelineFrameRate = '24',
                                 timelineDropFrameTimecode = '0' } }, Project)
  local root = folder('Master')
  project._pool = setmetatable({ _app = app, _project = project, _root = root, _current = root }, Pool)
  local pm = { GetCurrentProject = function() return project end, SaveProject = function() app.saved = (app.saved or 0) + 1 return true end }
  app.GetProjectManager = function() return pm end
  app.GetProductName = function() return studio and 'DaVinci Resolve Studio' or 'DaVinci Resolve' end
  app.GetVersion = function() return { 19, 1, 3, 7, '' } end
  app.add_media = function(path, rate, frames, start_tc)
    local r = parse_rate(rate)
    if start_tc and start_tc:find(';') and r.den == 1001 then r.df = true end   -- a drop-frame clip, as in the Python fake
    app._media[path] = { path = path, rate = r, frames = frames, start_tc = start_tc or '00:00:00:00' }
  end
  return app
end

return F
