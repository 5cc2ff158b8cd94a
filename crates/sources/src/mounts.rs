//! Mount and unmount notifications (Linux), without polling.
//!
//! inotify says nothing when the file system under a watched folder is unmounted, nor
//! when a disk is mounted again, and notify drops `IN_UNMOUNT`. The kernel does signal
//! every change of the mount table to whoever `poll`s `/proc/self/mountinfo` for
//! `POLLPRI`: a thread blocks there and tells the engine, which then re-checks its
//! sources' availability. A pipe wakes the thread when the watcher stops.

#[cfg(target_os = "linux")]
mod imp {
    use std::os::fd::AsRawFd;

    pub struct MountWatch {
        wake: libc::c_int,
        thread: Option<std::thread::JoinHandle<()>>,
    }

    impl MountWatch {
        /// Calls `changed` after each change of the mount table; `None` if the mount
        /// table cannot be watched (then only the retry timer notices mounts).
        pub fn start(mut changed: impl FnMut() + Send + 'static) -> Option<MountWatch> {
            let file = std::fs::File::open("/proc/self/mountinfo").ok()?;
            let mut fds = [0 as libc::c_int; 2];
            // SAFETY: pipe(2) fills the two-element array it is given.
            if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
                return None;
            }
            let (read_end, write_end) = (fds[0], fds[1]);
            let thread = std::thread::Builder::new()
                .name("cartolina-mounts".into())
                .spawn(move || {
                    let mut polls = [
                        libc::pollfd { fd: file.as_raw_fd(), events: libc::POLLPRI, revents: 0 },
                        libc::pollfd { fd: read_end, events: libc::POLLIN, revents: 0 },
                    ];
                    loop {
                        // SAFETY: two valid pollfd entries, blocking without timeout.
                        let n = unsafe { libc::poll(polls.as_mut_ptr(), 2, -1) };
                        if n < 0 {
                            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                                continue;
                            }
                            break;
                        }
                        if polls[1].revents != 0 {
                            break;
                        }
                        if polls[0].revents & (libc::POLLPRI | libc::POLLERR) != 0 {
                            changed();
                        }
                    }
                    // SAFETY: the read end is ours alone.
                    unsafe { libc::close(read_end) };
                })
                .ok()?;
            Some(MountWatch { wake: write_end, thread: Some(thread) })
        }
    }

    impl Drop for MountWatch {
        fn drop(&mut self) {
            // SAFETY: writing one byte to, then closing, our own pipe's write end.
            unsafe {
                libc::write(self.wake, [1u8].as_ptr().cast(), 1);
                libc::close(self.wake);
            }
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    pub struct MountWatch;

    impl MountWatch {
        pub fn start(_changed: impl FnMut() + Send + 'static) -> Option<MountWatch> {
            None
        }
    }
}

pub(crate) use imp::MountWatch;
