"""WatchHandlers: AddWatchFolder, RemoveWatchFolder, ListWatchFolders over the watch service."""
from __future__ import annotations

import grpc

from rushes.server import convert
from rushes.server.app import App
from rushes_proto.v1 import rushes_pb2 as pb


class WatchHandlers:
    app: App

    def AddWatchFolder(self, request: pb.AddWatchFolderRequest, context: grpc.ServicerContext) -> pb.WatchFolder:
        return convert.watch_folder(self.app.watch.add(request.project or "default", request.path, request.polling))

    def RemoveWatchFolder(self, request: pb.RemoveWatchFolderRequest,
                          context: grpc.ServicerContext) -> pb.RemoveWatchFolderResponse:
        return pb.RemoveWatchFolderResponse(removed=self.app.watch.remove(request.project or "default", request.path))

    def ListWatchFolders(self, request: pb.ListWatchFoldersRequest,
                         context: grpc.ServicerContext) -> pb.ListWatchFoldersResponse:
        return pb.ListWatchFoldersResponse(folders=[convert.watch_folder(w) for w in self.app.watch.folders(request.project)])
