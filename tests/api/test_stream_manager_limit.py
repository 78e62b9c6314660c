"""The stream manager's limit is all or nothing."""

from __future__ import annotations

import pytest

from tsdash.api import HttpStream, StreamLimitError, StreamManager, WebSocketStream


# -- StreamManager ---------------------------------------------------------------------------
async def test_stream_manager_limit_is_all_or_nothing():
    manager = StreamManager(max_concurrent_streams=3)
    assert manager.max_concurrent_streams == 3 and manager.active_count == 0
    first = manager.create_stream("http://127.0.0.1:9/a")
    ws = manager.create_stream("http://127.0.0.1:9/ws", transport="ws")
    assert isinstance(first, HttpStream) and isinstance(ws, WebSocketStream)
    assert manager.active_count == 2
    with pytest.raises(StreamLimitError) as info:
        manager.create_streams([{"url": "http://127.0.0.1:9/b"}, {"url": "http://127.0.0.1:9/c"}])
    assert isinstance(info.value, ValueError)
    assert "max_concurrent_streams=3" in str(info.value) and info.value.limit == 3
    assert manager.active_count == 2  # nothing was taken
    manager.create_stream("http://127.0.0.1:9/d")
    with pytest.raises(StreamLimitError):
        manager.create_stream("http://127.0.0.1:9/e")
    await manager.close_stream(first.id)
    assert manager.active_count == 2
    await manager.close_all_streams()
    assert manager.active_count == 0
