/*
 * xdnd-drag: a minimal XDND (version 5) drag source for tests. It drags files
 * onto a window as a file manager would: it offers text/uri-list, enters the
 * target, moves to a point inside it, drops, answers the target's request for
 * the data and waits for XdndFinished.
 *
 * Usage: xdnd-drag WINDOW-ID X Y FILE...   (X and Y relative to the window)
 * Exit status: 0 when the target accepted the drop and finished it, 1 when it
 * refused or did not answer in time, 2 for usage or X errors.
 */
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

static Display *dpy;
static Atom aAware, aEnter, aPosition, aStatus, aDrop, aFinished, aLeave, aSelection, aCopy, aUriList,
    aTypeList;

static Atom atom(const char *name) { return XInternAtom(dpy, name, False); }

static void send_message(Window target, Atom type, long l0, long l1, long l2, long l3, long l4) {
    XEvent ev;
    memset(&ev, 0, sizeof ev);
    ev.xclient.type = ClientMessage;
    ev.xclient.display = dpy;
    ev.xclient.window = target;
    ev.xclient.message_type = type;
    ev.xclient.format = 32;
    ev.xclient.data.l[0] = l0;
    ev.xclient.data.l[1] = l1;
    ev.xclient.data.l[2] = l2;
    ev.xclient.data.l[3] = l3;
    ev.xclient.data.l[4] = l4;
    XSendEvent(dpy, target, False, NoEventMask, &ev);
    XFlush(dpy);
}

/* uri appends "file://" and the percent-encoded absolute path of name. */
static void uri(char *out, size_t cap, const char *name) {
    char abs[PATH_MAX];
    if (!realpath(name, abs)) {
        fprintf(stderr, "xdnd-drag: %s: no such file\n", name);
        exit(2);
    }
    size_t n = strlen(out);
    n += snprintf(out + n, cap - n, "file://");
    for (const unsigned char *p = (const unsigned char *)abs; *p && n + 4 < cap; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p))
            out[n++] = (char)*p;
        else
            n += snprintf(out + n, cap - n, "%%%02X", *p);
    }
    out[n] = 0;
    strncat(out, "\r\n", cap - strlen(out) - 1);
}

/* next waits up to the deadline for an event for win; 0 on time-out. */
static int next(XEvent *ev, time_t deadline) {
    while (time(NULL) < deadline) {
        if (XPending(dpy)) {
            XNextEvent(dpy, ev);
            return 1;
        }
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(ConnectionNumber(dpy), &fds);
        struct timeval tv = {0, 100000};
        select(ConnectionNumber(dpy) + 1, &fds, NULL, NULL, &tv);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: xdnd-drag WINDOW-ID X Y FILE...\n");
        return 2;
    }
    dpy = XOpenDisplay(NULL);
    if (!dpy) {
        fprintf(stderr, "xdnd-drag: cannot open the display\n");
        return 2;
    }
    Window target = (Window)strtoul(argv[1], NULL, 0);
    int x = atoi(argv[2]), y = atoi(argv[3]);
    static char list[65536];
    for (int i = 4; i < argc; i++)
        uri(list, sizeof list, argv[i]);

    aAware = atom("XdndAware");
    aEnter = atom("XdndEnter");
    aPosition = atom("XdndPosition");
    aStatus = atom("XdndStatus");
    aDrop = atom("XdndDrop");
    aFinished = atom("XdndFinished");
    aLeave = atom("XdndLeave");
    aSelection = atom("XdndSelection");
    aCopy = atom("XdndActionCopy");
    aUriList = atom("text/uri-list");
    aTypeList = atom("XdndTypeList");

    Atom type;
    int format;
    unsigned long items, after;
    unsigned char *data = NULL;
    if (XGetWindowProperty(dpy, target, aAware, 0, 1, False, AnyPropertyType, &type, &format, &items, &after, &data) !=
            Success ||
        items == 0) {
        fprintf(stderr, "xdnd-drag: window 0x%lx is not XdndAware\n", target);
        return 2;
    }
    long version = *(long *)data < 5 ? *(long *)data : 5;
    XFree(data);

    Window source = XCreateSimpleWindow(dpy, DefaultRootWindow(dpy), 0, 0, 1, 1, 0, 0, 0);
    XSelectInput(dpy, source, PropertyChangeMask);
    XChangeProperty(dpy, source, aTypeList, XA_ATOM, 32, PropModeReplace, (unsigned char *)&aUriList, 1);
    XSetSelectionOwner(dpy, aSelection, source, CurrentTime);

    int rx, ry;
    Window child;
    XTranslateCoordinates(dpy, target, DefaultRootWindow(dpy), x, y, &rx, &ry, &child);

    send_message(target, aEnter, (long)source, version << 24, (long)aUriList, None, None);
    send_message(target, aPosition, (long)source, 0, ((long)rx << 16) | (ry & 0xffff), CurrentTime, (long)aCopy);

    time_t deadline = time(NULL) + 10;
    int accepted = -1, dropped = 0;
    XEvent ev;
    while (next(&ev, deadline)) {
        if (ev.type == ClientMessage && ev.xclient.message_type == aStatus) {
            accepted = ev.xclient.data.l[1] & 1;
            if (!accepted) {
                send_message(target, aLeave, (long)source, 0, 0, 0, 0);
                fprintf(stderr, "xdnd-drag: the window refused the drop\n");
                return 1;
            }
            if (!dropped) {
                send_message(target, aDrop, (long)source, 0, CurrentTime, 0, 0);
                dropped = 1;
            }
        } else if (ev.type == SelectionRequest) {
            XSelectionRequestEvent *req = &ev.xselectionrequest;
            XEvent reply;
            memset(&reply, 0, sizeof reply);
            reply.xselection.type = SelectionNotify;
            reply.xselection.display = dpy;
            reply.xselection.requestor = req->requestor;
            reply.xselection.selection = req->selection;
            reply.xselection.target = req->target;
            reply.xselection.time = req->time;
            reply.xselection.property = None;
            if (req->target == aUriList) {
                Atom prop = req->property != None ? req->property : req->target;
                XChangeProperty(dpy, req->requestor, prop, aUriList, 8, PropModeReplace, (unsigned char *)list,
                                (int)strlen(list));
                reply.xselection.property = prop;
            }
            XSendEvent(dpy, req->requestor, False, NoEventMask, &reply);
            XFlush(dpy);
        } else if (ev.type == ClientMessage && ev.xclient.message_type == aFinished) {
            printf("xdnd-drag: dropped %d file(s) on window 0x%lx\n", argc - 4, target);
            return 0;
        }
    }
    fprintf(stderr, "xdnd-drag: no %s from the window in time\n", accepted < 0 ? "XdndStatus" : "XdndFinished");
    return 1;
}
